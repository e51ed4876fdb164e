import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ElectionView } from '../../lib/core/election/election-engine.js';
import type { LeaseScript } from '../../lib/core/election/redis/lease-scripts.js';
import type { LeaseStore } from '../../lib/core/election/redis/lease-store.js';
import { RedisLeaseEngine } from '../../lib/core/election/redis/redis-lease-engine.js';
import { silentLogger } from '../../lib/core/logger.js';

/**
 * The engine against an in-memory store on fake timers: exact instants, no Redis. The real scripts
 * are exercised by the other redis specs; this one pins the timing rules down to the millisecond.
 */
class MemoryStore implements LeaseStore {
  value: string | undefined;
  expiresAt = 0;
  epoch = 0;
  /** While set, every command waits for it (a paused or unreachable Redis). */
  hang: Promise<void> | undefined;
  published: string[] = [];
  listener: ((message: string) => void) | undefined;
  calls: string[] = [];

  private live(): string | undefined {
    return performance.now() < this.expiresAt ? this.value : undefined;
  }

  async run(script: LeaseScript, _keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    this.calls.push(script.name);
    if (this.hang) await this.hang;
    const now = performance.now();
    const period = Number(args[1]);
    switch (script.name) {
      case 'acquire': {
        const current = this.live();
        if (current) return [0, current, this.expiresAt - now];
        this.epoch = Math.max(this.epoch + 1, Number(args[2]) + 1);
        this.value = JSON.stringify({ node: args[0], token: this.epoch });
        this.expiresAt = now + period;
        return [1, this.value, period];
      }
      case 'renew':
        if (this.live() !== args[0]) return 0;
        this.expiresAt = now + period;
        return 1;
      case 'release':
        if (this.live() !== args[0]) return 0;
        this.value = undefined;
        return 1;
    }
    throw new Error(`unknown script ${script.name}`);
  }

  async publish(_channel: string, message: string): Promise<void> {
    this.published.push(message);
  }

  subscribe(_channel: string, onMessage: (message: string) => void): void {
    this.listener = onMessage;
  }

  async close(): Promise<void> {}
}

const lease = { dataPath: 'unit', electionInterval: 150, electionPeriod: 500, syncLeaderInterval: 150 };
// Acting window per lease: 500 · (1 − 0.05) − 25 = 450 ms from the send time.
const ACTING_MS = 450;

function engine(store: MemoryStore, nodeName = 'a') {
  const views: ElectionView[] = [];
  const e = new RedisLeaseEngine(
    { onViewChange: (view) => void views.push(view), onFailure: () => undefined },
    { nodeName, lease, clockDriftBound: 0.05, eventLoopMarginMs: 25 },
    { now: () => performance.now(), wallTime: () => 0 },
    silentLogger,
    async () => store,
  );
  return { engine: e, views };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RedisLeaseEngine timing', () => {
  it('acts with the epoch as term and fencing token, and renews every electionInterval', async () => {
    const store = new MemoryStore();
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.view).toEqual({ role: 'leader', term: 1, leaderName: 'a', acting: true, fencingToken: 1 });
    expect(JSON.parse(store.published[0]!)).toEqual({ type: 'acquired', node: 'a', token: 1 });
    await vi.advanceTimersByTimeAsync(10 * lease.electionInterval);
    expect(e.view.acting).toBe(true);
    expect(store.calls.filter((c) => c === 'renew').length).toBeGreaterThanOrEqual(9);
    await e.stop({ handOver: true });
    expect(store.value).toBeUndefined();
    expect(JSON.parse(store.published.at(-1)!)).toMatchObject({ type: 'released', node: 'a', token: 1 });
  });

  it('a leader whose Redis stops answering stops acting exactly when its last sent renewal runs out', async () => {
    const store = new MemoryStore();
    const { engine: e, views } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(lease.electionInterval); // one renewal, sent at t = 150
    const lastSent = performance.now();
    store.hang = new Promise(() => {});
    await vi.advanceTimersByTimeAsync(ACTING_MS - 1);
    expect(e.view.acting).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(e.view.acting).toBe(false);
    expect(performance.now() - lastSent).toBe(ACTING_MS);
    expect(views.at(-1)).toMatchObject({ role: 'candidate', leaderName: undefined, term: 1 });
    await e.stop({ handOver: false });
  });

  it('an acquisition answered after its lease has run out is never acted on, and is given back', async () => {
    const store = new MemoryStore();
    let answer!: () => void;
    store.hang = new Promise((resolve) => (answer = resolve));
    const { engine: e, views } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(ACTING_MS + 10);
    store.hang = undefined;
    answer();
    await vi.advanceTimersByTimeAsync(0);
    // Token 1 was won by the late reply and never acted on; the next attempt, sent fresh, may act.
    expect(views.filter((v) => v.acting).map((v) => v.fencingToken)).not.toContain(1);
    expect(store.calls.slice(0, 3)).toEqual(['acquire', 'release', 'acquire']);
    await e.stop({ handOver: false });
  });

  it('a renewal that finds another value in the key stops acting at once', async () => {
    const store = new MemoryStore();
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    store.value = JSON.stringify({ node: 'x', token: 7 });
    await vi.advanceTimersByTimeAsync(lease.electionInterval);
    expect(e.view).toMatchObject({ acting: false, leaderName: 'x', term: 7 });
    await e.stop({ handOver: true });
    expect(store.value).toBe(JSON.stringify({ node: 'x', token: 7 })); // not ours: left alone
  });

  it('a notice of a newer acquisition makes a leader step down before its next renewal', async () => {
    const store = new MemoryStore();
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    store.listener!(JSON.stringify({ type: 'acquired', node: 'b', token: 2 }));
    expect(e.view).toMatchObject({ acting: false, leaderName: 'b', term: 2 });
    await e.stop({ handOver: false });
  });

  it('a follower reports the leader only while its lease can be valid, and tries at once on a release notice', async () => {
    const store = new MemoryStore();
    store.epoch = 4;
    store.value = JSON.stringify({ node: 'b', token: 4 });
    store.expiresAt = performance.now() + 300;
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.view).toMatchObject({ leaderName: 'b', term: 4, acting: false });
    expect(e.readyUntil()).toBeGreaterThan(performance.now());
    store.hang = new Promise(() => {}); // Redis goes silent: nothing confirms b any more
    await vi.advanceTimersByTimeAsync(299);
    expect(e.view.leaderName).toBe('b');
    await vi.advanceTimersByTimeAsync(2);
    expect(e.view.leaderName).toBeUndefined();
    expect(e.readyUntil()).toBe(Number.NEGATIVE_INFINITY);
    await e.stop({ handOver: false });
  });

  it('a release notice makes a follower try to acquire at once', async () => {
    const store = new MemoryStore();
    store.epoch = 4;
    store.value = JSON.stringify({ node: 'b', token: 4 });
    store.expiresAt = performance.now() + 10_000;
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.view).toMatchObject({ leaderName: 'b', acting: false });
    store.value = undefined;
    store.listener!(JSON.stringify({ type: 'released', node: 'b', token: 4 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(e.view).toEqual({ role: 'leader', term: 5, leaderName: 'a', acting: true, fencingToken: 5 });
    await e.stop({ handOver: true });
  });
});
