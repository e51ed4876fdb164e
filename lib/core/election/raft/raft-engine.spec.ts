import { describe, expect, it, vi } from 'vitest';
import { resolveClusterOptions } from '../../../config/resolve-options.js';
import { systemClock } from '../../../system-clock.js';
import { memoryLogger } from '../../../../test/helpers/clusters.js';
import { silentLogger, type ClusterLogger } from '../../logger.js';
import type { ElectionView } from '../election-engine.js';
import type { RaftStateStore } from './file-state-store.js';
import { RaftEngine, type ElectionTransport } from './raft-engine.js';
import type { PersistentState } from './types.js';

class FakeTransport implements ElectionTransport {
  sent: { to: string; payload: unknown }[] = [];
  private handler: (from: string, payload: unknown) => void = () => undefined;
  closed = false;
  async start() {}
  async close() {
    this.closed = true;
  }
  send(to: string, payload: unknown) {
    this.sent.push({ to, payload });
    return true;
  }
  onMessage(handler: (from: string, payload: unknown) => void) {
    this.handler = handler;
  }
  onPeerLost() {}
  onPeerChange() {}
  alivePeers() {
    return [];
  }
  isAlive() {
    return true;
  }
  deliver(from: string, payload: unknown) {
    this.handler(from, payload);
  }
}

/** A store whose writes complete only when the test says so. */
class GatedStore implements RaftStateStore {
  saved: PersistentState[] = [];
  private release: (() => void)[] = [];
  async load() {
    return undefined;
  }
  save(state: PersistentState) {
    return new Promise<void>((resolve) =>
      this.release.push(() => {
        this.saved.push(state);
        resolve();
      }),
    );
  }
  flush() {
    for (const release of this.release.splice(0)) release();
  }
}

function engine(store: RaftStateStore | undefined, logger: ClusterLogger = silentLogger) {
  const settings = resolveClusterOptions({
    mode: 'cluster',
    nodes: ['n1', 'n2', 'n3'].map((name, i) => ({ name, ip: '127.0.0.1', port: 7001 + i })),
    nodeName: 'n1',
    electionTimeoutMs: 60_000, // no timer fires during the test
    logger: false,
  });
  const transport = new FakeTransport();
  const views: ElectionView[] = [];
  const failures: Error[] = [];
  const raft = new RaftEngine({
    settings,
    host: { onViewChange: (v) => views.push(v), onFailure: (e) => failures.push(e) },
    transport,
    store,
    clock: systemClock,
    logger,
    random: () => 0.5,
  });
  return { raft, transport, views, failures };
}

const voteRequest = { type: 'Vote', from: 'n2', to: 'n1', term: 1, transfer: false };

describe('RaftEngine', () => {
  it('sends a vote only after term and vote are durable (Raft thesis §3.8)', async () => {
    const store = new GatedStore();
    const { raft, transport } = engine(store);
    await raft.start();
    transport.deliver('n2', voteRequest);
    await new Promise((r) => setImmediate(r));
    expect(transport.sent).toEqual([]);
    store.flush();
    await new Promise((r) => setImmediate(r));
    expect(store.saved).toEqual([{ term: 1, votedFor: 'n2' }]);
    expect(transport.sent).toMatchObject([{ to: 'n2', payload: { type: 'VoteResponse', term: 1, granted: true } }]);
    await raft.stop({ handOver: false });
    transport.deliver('n2', { ...voteRequest, term: 2 });
    expect(transport.sent).toHaveLength(1); // stopped: no more answers (the cluster closes the transport)
  });

  it('drops malformed or misattributed election messages without crashing', async () => {
    const { raft, transport } = engine(new GatedStore());
    await raft.start();
    for (const bad of [null, 42, { type: 'Vote' }, { ...voteRequest, term: '1' }, { ...voteRequest, type: 'Nope' }, { ...voteRequest, from: 'n3' }, { ...voteRequest, to: 'n2' }]) {
      transport.deliver('n2', bad);
    }
    await new Promise((r) => setImmediate(r));
    expect(transport.sent).toEqual([]);
    expect(raft.view.term).toBe(0);
    await raft.stop({ handOver: false });
  });

  it('drops and counts a term above the ceiling or out of reach, with a warning naming the peer (issue #10 item 3)', async () => {
    const logger = memoryLogger();
    const { raft, transport } = engine(new GatedStore(), logger);
    await raft.start();
    for (const term of [2 ** 53 - 1, 2 ** 48 + 1, 2 ** 40]) transport.deliver('n2', { ...voteRequest, term, transfer: true });
    await new Promise((r) => setImmediate(r));
    expect(transport.sent).toEqual([]);
    expect(raft.view.term).toBe(0);
    expect(raft.droppedMessages).toBe(3);
    const warnings = logger.lines.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warnings).toHaveLength(1); // repeats from one peer are rate-limited
    expect(warnings[0]).toMatch(/from "n2"/);
    expect(warnings[0]).toMatch(/term 9007199254740991/);
    await raft.stop({ handOver: false });
  });

  it('reports the view the cluster derives its events from, and the no-leader view after stop', async () => {
    const { raft, transport, views } = engine(undefined);
    await raft.start();
    // Without a dataDir a fresh node stays mute for one election timeout (DESIGN §4), but it
    // follows a leader's heartbeat at once.
    transport.deliver('n2', { type: 'Heartbeat', from: 'n2', to: 'n1', term: 3, round: 1 });
    expect(views.at(-1)).toMatchObject({ role: 'follower', term: 3, leaderName: 'n2', acting: false });
    expect(raft.readyUntil()).toBeGreaterThan(performance.now());
    await raft.stop({ handOver: true });
    expect(views.at(-1)).toMatchObject({ role: 'follower', term: 3, leaderName: undefined, acting: false });
  });

  it('stops for good when term and vote cannot be written, and never answers from unwritten state', async () => {
    const store = new GatedStore();
    store.save = () => Promise.reject(new Error('EIO: disk gone'));
    const { raft, transport, failures, views } = engine(store);
    await raft.start();
    transport.deliver('n2', voteRequest);
    await vi.waitFor(() => expect(failures).toHaveLength(1));
    expect(failures[0]).toMatchObject({ code: 'ERR_CLUSTER_STATE_WRITE' });
    expect(failures[0]!.message).toMatch(/EIO: disk gone.*Restart it/);
    // The same vote asked again must not be granted from the state the node never wrote.
    transport.deliver('n2', voteRequest);
    await new Promise((r) => setImmediate(r));
    expect(transport.sent).toEqual([]);
    expect(views.at(-1)).toMatchObject({ acting: false, leaderName: undefined });
    await raft.stop({ handOver: false });
  });

  it('warns at start without dataDir that fencing tokens may repeat, and not with one', async () => {
    const without = memoryLogger();
    const a = engine(undefined, without);
    await a.raft.start();
    await a.raft.stop({ handOver: false });
    expect(without.lines.filter((l) => l.level === 'warn' && /without dataDir.*fencing token/.test(l.message))).toHaveLength(1);
    const withStore = memoryLogger();
    const b = engine(new GatedStore(), withStore);
    await b.raft.start();
    await b.raft.stop({ handOver: false });
    expect(withStore.lines).toEqual([]);
  });
});
