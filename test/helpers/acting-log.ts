import { expect } from 'vitest';
import type { Cluster } from '../../lib/core/cluster.js';

interface Interval {
  node: string;
  token: number;
  from: number;
  to: number;
}

/**
 * Records when each cluster acts as leader, from its SignMaster/StopMaster events stamped with the
 * monotonic clock (events are delivered synchronously with the change), to check the one safety
 * property that matters: no two nodes ever act at the same instant.
 */
export class ActingLog {
  private readonly closed: Interval[] = [];
  private readonly open = new Map<string, { token: number; from: number }>();

  watch(cluster: Cluster): void {
    const node = cluster.getMyName();
    cluster.events$.subscribe((event) => {
      const now = performance.now();
      if (event.type === 'SignMaster') this.open.set(node, { token: event.term, from: now });
      if (event.type === 'StopMaster') {
        const started = this.open.get(node);
        this.open.delete(node);
        if (started) this.closed.push({ node, token: started.token, from: started.from, to: now });
      }
    });
  }

  /** Every acting interval so far, those still open ending now. */
  intervals(): Interval[] {
    const now = performance.now();
    const open = [...this.open].map(([node, { token, from }]) => ({ node, token, from, to: now }));
    return [...this.closed, ...open].sort((a, b) => a.from - b.from);
  }

  /** The number of leaderships (SignMaster events) recorded. */
  get count(): number {
    return this.closed.length + this.open.size;
  }

  /**
   * Acting intervals never overlap in time, and fencing tokens grow strictly from one leader to the
   * next. A leader whose lease lapsed and was renewed within its term (CheckQuorum) acts again
   * with the same token: nobody else can have acted in between, which would need a higher term.
   */
  expectSafe(): void {
    const intervals = this.intervals();
    for (let i = 1; i < intervals.length; i++) {
      const prev = intervals[i - 1]!;
      const next = intervals[i]!;
      expect(next.from, `${next.node} (token ${next.token}) started acting while ${prev.node} (token ${prev.token}) still was`).toBeGreaterThanOrEqual(prev.to);
      if (next.token === prev.token && next.node === prev.node) continue;
      expect(next.token, `${next.node} acted with token ${next.token} after ${prev.node} with ${prev.token}`).toBeGreaterThan(prev.token);
    }
  }
}
