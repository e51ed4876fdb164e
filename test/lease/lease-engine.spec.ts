import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ElectionView } from '../../lib/core/election/election-engine.js';
import { LeaseEngine } from '../../lib/core/election/lease/lease-engine.js';
import { silentLogger, type ClusterLogger } from '../../lib/core/logger.js';
import { memoryLogger } from '../helpers/clusters.js';
import { MemoryStore } from '../helpers/memory-lease-store.js';

/**
 * The engine against an in-memory store on fake timers: exact instants, no server. The real
 * stores are exercised by test/redis and test/stores; this one pins the timing rules down to the
 * millisecond.
 */

const lease = { dataPath: 'unit', electionInterval: 150, electionPeriod: 500, syncLeaderInterval: 150 };
// Acting window per lease: 500 · (1 − 0.05) − 25 = 450 ms from the send time.
const ACTING_MS = 450;

function engine(store: MemoryStore, nodeName = 'a', logger: ClusterLogger = silentLogger) {
  const views: ElectionView[] = [];
  const e = new LeaseEngine(
    { onViewChange: (view) => void views.push(view), onFailure: () => undefined },
    { nodeName, lease, clockDriftBound: 0.05, eventLoopMarginMs: 25, label: 'Memory', heldIn: 'the lease' },
    { now: () => performance.now(), wallTime: () => 0 },
    logger,
    async () => store,
  );
  return { engine: e, views };
}

/**
 * A store command that takes `ms` to answer. Every test here runs on fake timers, so this is
 * simulated latency that `advanceTimersByTimeAsync` moves through, never a real wait.
 */
function storeLatency(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LeaseEngine timing', () => {
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

  it('a leader whose store stops answering stops acting exactly when its last sent renewal runs out', async () => {
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

  // The mysql store's bug found by the chaos suite (test/chaos/RESULTS.md, seed 1632), as any store
  // of one's own could have it: an acquisition the loop gave up on answers late, claiming as its own
  // win the lease this engine won since. Giving that "late win" back would end the leadership the
  // engine acts on.
  it('a late reply that claims the lease this engine holds now as its win leaves that lease alone', async () => {
    const store = new MemoryStore();
    const acquire = store.acquire.bind(store);
    let calls = 0;
    store.acquire = async (claim) => {
      if (++calls !== 1) return acquire(claim);
      await storeLatency(900); // past the loop's deadline and its lease
      const reading = await store.read();
      return { acquired: true, ...reading };
    };
    const { engine: e } = engine(store);
    await e.start();
    await vi.advanceTimersByTimeAsync(800);
    expect(e.view).toMatchObject({ acting: true, fencingToken: 1 }); // the second attempt won token 1
    await vi.advanceTimersByTimeAsync(200); // the first attempt's reply claims token 1
    expect(store.calls).not.toContain('release');
    expect(e.view).toMatchObject({ acting: true, fencingToken: 1 });
    await vi.advanceTimersByTimeAsync(3 * lease.electionPeriod);
    expect(e.view).toMatchObject({ acting: true, fencingToken: 1 });
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
    store.hang = new Promise(() => {}); // the store goes silent: nothing confirms b any more
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
    store.expiresAt = performance.now() + 4_000;
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

describe('LeaseEngine log', () => {
  // Found by the chaos run (mysql mode, packet loss between the nodes and MariaDB): the store
  // granted an acquisition whose reply was lost, and the engine's next reply, which showed that
  // lease under its own name, was logged as a second process configured with this node's name.
  it('an acquisition the store granted but never answered is not taken for a second process under this node’s name', async () => {
    const store = new MemoryStore();
    store.epoch = 1;
    store.value = JSON.stringify({ node: 'b', token: 1 });
    store.expiresAt = performance.now() + 100;
    // Once b's lease is over, one acquisition reaches the store 100 ms after it was sent, wins
    // there (token 2, until 100 ms + one period after the send), and its reply never comes.
    const acquire = store.acquire.bind(store);
    let lost = false;
    store.acquire = async (claim) => {
      if (lost || performance.now() < store.expiresAt) return acquire(claim);
      lost = true;
      await storeLatency(100);
      await acquire(claim);
      return new Promise(() => {});
    };
    const logger = memoryLogger();
    const { engine: e, views } = engine(store, 'a', logger);
    await e.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(e.view).toMatchObject({ leaderName: 'b', acting: false }); // the first reply: b holds
    await vi.advanceTimersByTimeAsync(3 * lease.electionPeriod);
    expect(lost).toBe(true);
    // Token 2 was never acted on; the lease under this node's name ran out and this node won token 3.
    expect(views.filter((v) => v.acting).map((v) => v.fencingToken)).toEqual([3]);
    expect(logger.lines.filter((l) => l.message.includes('another process holds the lease'))).toEqual([]);
    await e.stop({ handOver: false });
  });

  // The same chaos run, once the above was fixed: an acquisition left behind by the loop's deadline
  // answered a second later, after other replies, with the row as it was then, under this node's name.
  it('a reply that comes after the deadline, showing this node’s name as holder, is not taken for a second process either', async () => {
    const store = new MemoryStore();
    store.epoch = 1;
    store.value = JSON.stringify({ node: 'b', token: 1 });
    store.expiresAt = performance.now() + 10_000;
    const acquire = store.acquire.bind(store);
    let calls = 0;
    store.acquire = async (claim) => {
      if (++calls !== 2) return acquire(claim);
      // The second attempt answers 900 ms after it was sent, with a stale reading of this node's lease.
      await storeLatency(900);
      return { acquired: false, holder: { node: 'a', token: 2, raw: '{"node":"a","token":2}' }, remainingMs: 100, quarantined: false };
    };
    const logger = memoryLogger();
    const { engine: e } = engine(store, 'a', logger);
    await e.start();
    await vi.advanceTimersByTimeAsync(3 * lease.electionPeriod);
    expect(calls).toBeGreaterThan(3); // the late reply came after later attempts were answered
    expect(logger.lines.filter((l) => l.message.includes('another process holds the lease'))).toEqual([]);
    await e.stop({ handOver: false });
  });
});
