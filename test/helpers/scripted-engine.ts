import type { ElectionEngine, ElectionHost, ElectionView } from '../../lib/core/election/election-engine.js';
import { NO_LEADER_VIEW } from '../../lib/core/election/election-engine.js';

/** An election engine the test drives by hand: each `set` is what a real engine would report. */
export class ScriptedEngine implements ElectionEngine {
  view: ElectionView = NO_LEADER_VIEW;
  ready = 0;
  actingDeadline = Number.POSITIVE_INFINITY;
  alive = new Set<string>();
  transfers: (string | undefined)[] = [];
  stops: boolean[] = [];

  constructor(private readonly host: ElectionHost) {}

  set(view: Partial<ElectionView>): void {
    this.view = { ...this.view, ...view };
    this.host.onViewChange(this.view);
  }

  async start(): Promise<void> {}

  async stop({ handOver }: { handOver: boolean }): Promise<void> {
    this.stops.push(handOver);
    this.set({ role: 'follower', leaderName: undefined, acting: false });
  }

  async transferLeadership(toNode?: string): Promise<void> {
    this.transfers.push(toNode);
  }

  actingUntil(): number {
    return this.actingDeadline;
  }

  readyUntil(): number {
    return this.ready;
  }

  isAlive(nodeName: string): boolean {
    return this.alive.has(nodeName);
  }
}
