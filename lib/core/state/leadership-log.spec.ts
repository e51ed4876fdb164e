import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualClock, memoryLogger, scriptedCluster } from '../../../test/helpers/clusters.js';

const T = 100;

function loggedCluster(options: Parameters<typeof scriptedCluster>[0] = {}) {
  const logger = memoryLogger();
  const clock = manualClock();
  const made = scriptedCluster({ electionTimeoutMs: T, logger, ...options }, clock);
  const lines = (level?: string) =>
    logger.lines.filter((l) => level === undefined || l.level === level).map((l) => l.message);
  const leadership = () => lines('log').filter((m) => m.startsWith('Leadership:'));
  return { ...made, logger, clock, lines, leadership };
}

describe('leadership lines', () => {
  it('logs one line per change of who leads, with the term, on a follower', async () => {
    const { cluster, engine, leadership } = loggedCluster();
    await cluster.startUp();
    engine.set({ role: 'pre-candidate', term: 1 }); // an election is not a change of leader
    engine.set({ role: 'follower', term: 3, leaderName: 'n2' });
    engine.set({ term: 3, leaderName: 'n2' }); // the same leader again: no line
    engine.set({ leaderName: undefined });
    engine.set({ term: 4, leaderName: 'n3' });
    expect(leadership()).toEqual([
      'Leadership: "n2" leads, term 3; "n1" follows.',
      'Leadership: no leader known to "n1"; "n2" (term 3) no longer leads as far as it can tell.',
      'Leadership: "n3" leads, term 4; "n1" follows.',
    ]);
    await cluster.close();
  });

  it('logs when this node starts and stops leading, and why it stopped on close', async () => {
    const { cluster, engine, leadership } = loggedCluster();
    await cluster.startUp();
    engine.set({ role: 'leader', term: 2 }); // elected, not acting yet: nobody leads yet
    engine.set({ leaderName: 'n1', acting: true, fencingToken: 2 });
    engine.set({ acting: false, leaderName: undefined }); // lease ran out
    engine.set({ leaderName: 'n1', acting: true });
    await cluster.close();
    expect(leadership()).toEqual([
      'Leadership: "n1" (this node) leads, term 2.',
      'Leadership: "n1" (this node) stopped leading (term 2): handing over, or its lease ran out.',
      'Leadership: "n1" (this node) leads, term 2.',
      'Leadership: "n1" (this node) stopped leading (term 2): closing.',
    ]);
  });

  it('says nothing on a disabled node', async () => {
    const { cluster, lines } = loggedCluster({ enable: false });
    await cluster.startUp();
    await cluster.close();
    expect(lines().filter((m) => m.startsWith('Leadership'))).toEqual([]);
  });
});

describe('waiting for a quorum (cluster mode)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** One check of the watch, after the cluster's clock moved by `ms`. */
  const after = (clock: ReturnType<typeof manualClock>, ms: number) => {
    clock.advance(ms);
    vi.advanceTimersByTime(T);
  };

  it('explains the wait once a normal election would be over, naming the nodes a quorum lacks', async () => {
    const { cluster, transport, clock, lines } = loggedCluster();
    await cluster.startUp();
    after(clock, 2 * T);
    expect(lines('log').filter((m) => m.startsWith('Waiting'))).toEqual([]); // a normal election takes that long
    after(clock, T);
    after(clock, T); // the same nodes still missing: no second line
    transport.alive.add('n3');
    after(clock, T); // a quorum is reachable now: the election is not waiting for nodes
    transport.alive.delete('n3');
    transport.alive.add('n2');
    transport.alive.delete('n2');
    after(clock, T);
    expect(lines('log').filter((m) => m.startsWith('Waiting'))).toEqual([
      'Waiting for a quorum to elect a leader: "n1" reaches 1 of 3 nodes and a leader needs 2; missing "n2", "n3".',
      'Waiting for a quorum to elect a leader: "n1" reaches 1 of 3 nodes and a leader needs 2; missing "n2", "n3".',
    ]);
    await cluster.close();
  });

  it('warns when a quorum stays out of reach for long, at most once per that long', async () => {
    const { cluster, clock, lines } = loggedCluster();
    await cluster.startUp();
    after(clock, 29_000);
    expect(lines('warn')).toEqual([]);
    after(clock, 1000);
    after(clock, 1000);
    after(clock, 1000);
    after(clock, 30_000);
    expect(lines('warn')).toEqual([
      'No quorum for 30 s: "n1" reaches 1 of 3 nodes and a leader needs 2; missing "n2", "n3". Check that those ' +
        'nodes run and that this node can reach them (address and port in `nodes`, the same `secret` or TLS CA everywhere).',
      'No quorum for 62 s: "n1" reaches 1 of 3 nodes and a leader needs 2; missing "n2", "n3". Check that those ' +
        'nodes run and that this node can reach them (address and port in `nodes`, the same `secret` or TLS CA everywhere) (2 more since the last report).',
    ]);
    await cluster.close();
  });

  it('stops watching once a leader is known, and starts afresh when it is lost', async () => {
    const { cluster, engine, clock, lines } = loggedCluster();
    await cluster.startUp();
    engine.set({ term: 2, leaderName: 'n2' });
    after(clock, 60_000);
    expect(lines('warn')).toEqual([]);
    engine.set({ leaderName: undefined });
    after(clock, 2 * T); // the leaderless time counts from the loss, not from the start
    expect(lines('log').filter((m) => m.startsWith('Waiting'))).toEqual([]);
    after(clock, T);
    expect(lines('log').filter((m) => m.startsWith('Waiting'))).toHaveLength(1);
    await cluster.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is not done in redis mode, where no quorum of nodes is needed', async () => {
    const { cluster, clock, lines } = loggedCluster({ mode: 'redis', redis: { url: 'redis://127.0.0.1:1' } });
    await cluster.startUp();
    after(clock, 60_000);
    expect(lines().filter((m) => m.includes('quorum'))).toEqual([]);
    await cluster.close();
  });
});
