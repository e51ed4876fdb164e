import type { Timeline } from './timeline.js';

/**
 * Reads the timeline as it grows for two things the harness steers by: the node that ticked last
 * inside its lease (the leader, as the nemeses see it) and when that tick was.
 */
export class LeaderWatch {
  private scanned = 0;
  private lastLeader: string | undefined;
  private lastTickAt = -Infinity;

  constructor(private readonly timeline: Timeline) {}

  get leader(): string | undefined {
    this.catchUp();
    return this.lastLeader;
  }

  /** Whether a node has ticked inside its lease at or after `since`. */
  tickedSince(since: number): boolean {
    this.catchUp();
    return this.lastTickAt >= since;
  }

  private catchUp(): void {
    const facts = this.timeline.facts;
    for (; this.scanned < facts.length; this.scanned++) {
      const f = facts[this.scanned]!;
      if (f.kind === 'tick' && f.leaseEnd !== null && f.at < f.leaseEnd) {
        this.lastLeader = f.node;
        this.lastTickAt = Math.max(this.lastTickAt, f.at);
      }
    }
  }
}
