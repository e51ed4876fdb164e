import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterEventType, type ClusterEvent } from '../../lib/core/events.js';
import { activeResources, leftOverSince } from '../helpers/handles.js';
import { createCluster } from '../../lib/create-cluster.js';
import { freePorts } from '../helpers/ports.js';
import { RaftCluster, SECRET, T } from '../helpers/raft-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

let group: RaftCluster | undefined;
afterEach(async () => {
  await group?.close();
  group?.log.expectSafe();
  group = undefined;
});

describe('cluster mode over TCP', () => {
  it('three nodes elect one leader that the others follow', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3']);
    const leader = await group.settled();
    for (const cluster of group.clusters.values()) {
      expect(cluster.getLeaderName()).toBe(leader.getMyName());
      expect(cluster.getMyTerm()).toBe(leader.getMyTerm());
    }
    await waitFor(() => leader.getAliveNodeCount() === 3, { what: 'every node alive' });
    expect(leader.getLostNodeNames()).toEqual([]);
    expect(group.acting()).toEqual([leader]);
  });

  it('leaves no sockets or timers behind once every node has closed', async () => {
    const before = activeResources();
    const local = await RaftCluster.start(['n1', 'n2', 'n3']);
    await local.settled();
    await local.close();
    local.log.expectSafe();
    expect(await leftOverSince(before)).toEqual({});
  });

  it('a node that cannot listen fails to start, and a retry says why again instead of half-starting', async () => {
    const [port] = await freePorts(1);
    const blocker = createServer().listen(port, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const cluster = createCluster({
        mode: 'cluster',
        nodes: [{ name: 'solo', ip: '127.0.0.1', port: port! }],
        nodeName: 'solo',
        secret: SECRET,
        logger: false,
      });
      const first = await cluster.startUp().catch((error: unknown) => error);
      expect(first).toMatchObject({ code: 'ERR_CLUSTER_LISTEN' });
      expect(cluster.getStats().phase).toBe('failed');
      await expect(cluster.startUp()).rejects.toBe(first);
      await cluster.close();
    } finally {
      blocker.close();
    }
  });

  it('five nodes elect one leader', async () => {
    group = await RaftCluster.start(['a', 'b', 'c', 'd', 'e']);
    await group.settled();
    expect(group.acting()).toHaveLength(1);
  });

  it('a leader that shuts down hands over to a follower without an election timeout', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3']);
    const first = await group.settled();
    const firstTerm = first.getMyTerm();
    const events: ClusterEvent[] = [];
    first.events$.subscribe((e) => events.push(e));
    await group.stop(first.getMyName());
    expect(events.map((e) => e.type)).toEqual([
      ClusterEventType.StopMaster,
      ClusterEventType.ReleaseMaster,
      ClusterEventType.Close,
    ]);
    const second = await group.settled();
    expect(second.getMyTerm()).toBeGreaterThan(firstTerm);
  });

  it('a leader shut down right after a follower restarted (a rolling deploy) hands over in the next term', async () => {
    // With dataDir a restarted node may vote at once. (Without, it may neither vote nor acknowledge
    // for one election timeout: see README "Restarts without dataDir".)
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { persist: true, options: { electionTimeoutMs: 1500 } });
    const first = await group.settled();
    const firstTerm = first.getMyTerm();
    const [restarted, other] = ['n1', 'n2', 'n3'].filter((n) => n !== first.getMyName()) as [string, string];
    await group.stop(restarted);
    const back = await group.boot(restarted);
    // As a rolling deploy does: the next pod goes once the restarted one is ready (follows the leader).
    await waitFor(() => back.getLeaderName() === first.getMyName() && back.isReady(), { what: 'restarted follower ready' });
    await group.stop(first.getMyName());
    const second = await group.settled([restarted, other]);
    // A fallback to an election after the timeout would need a new PreVote round and term.
    expect(second.getMyTerm()).toBe(firstTerm + 1);
  });

  it('transferLeadership(node) moves leadership to that node', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3']);
    const first = await group.settled();
    const target = ['n1', 'n2', 'n3'].find((n) => n !== first.getMyName())!;
    await first.transferLeadership(target);
    const second = await group.settled();
    expect(second.getMyName()).toBe(target);
  });

  it('a partitioned leader stops acting before a new leader starts acting, and rejoins as a follower', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { proxies: true });
    const first = await group.settled();
    const name = first.getMyName();
    const rest = ['n1', 'n2', 'n3'].filter((n) => n !== name);
    let abortedAt: number | undefined;
    first.addJobTracker({
      name: 'job',
      onStartedLeading: ({ signal }) => signal.addEventListener('abort', () => (abortedAt = performance.now())),
    });
    await waitFor(() => first.getStats().trackers.includes('job'));
    group.isolate(name, 'hold');
    const second = await group.settled(rest);
    expect(first.isLeader()).toBe(false);
    group.log.expectSafe();
    // The old leader's jobs were told to stop (signal aborted) before the new leader began acting.
    const secondStarted = group.log.intervals().find((i) => i.node === second.getMyName())!.from;
    expect(abortedAt).toBeDefined();
    expect(abortedAt!).toBeLessThanOrEqual(secondStarted);
    const leaderships = group.log.count;
    group.heal();
    await group.settled();
    expect(group.get(name).getLeaderName()).toBe(second.getMyName());
    expect(group.log.count).toBe(leaderships); // the returning node caused no new election
  });

  it('a leader whose connections are reset (a crash, as its peers see it) is replaced quickly and safely', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { proxies: true });
    const first = await group.settled();
    const name = first.getMyName();
    group.isolate(name, 'reset');
    await group.settled(['n1', 'n2', 'n3'].filter((n) => n !== name));
    group.log.expectSafe();
    group.heal();
    await group.settled();
  });

  it('a restarted follower rejoins without disturbing the leader', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { persist: true });
    const leader = await group.settled();
    const follower = ['n1', 'n2', 'n3'].find((n) => n !== leader.getMyName())!;
    const leaderships = group.log.count;
    await group.stop(follower);
    await group.boot(follower);
    await group.settled();
    expect(group.acting()).toEqual([leader]);
    expect(group.log.count).toBe(leaderships);
  });

  it('garbage, an oversized frame and a stalled handshake on the leader\'s port change nothing', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { options: { handshakeTimeoutMs: 1000 } });
    const leader = await group.settled();
    const port = group.nodes.find((n) => n.name === leader.getMyName())!.port;
    const leaderships = group.log.count;
    const sockets = [randomBytes(512), Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]), Buffer.alloc(0)].map((bytes) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
      socket.on('error', () => undefined);
      return socket;
    });
    await waitFor(() => sockets.every((s) => s.destroyed), { timeoutMs: 40 * T, what: 'the leader to hang up on all three' });
    const violations = leader.getStats().transport!.violations;
    expect(Object.values(violations).reduce((a, b) => a + b, 0)).toBe(3);
    expect(violations['handshake-timeout']).toBe(1);
    expect(group.acting()).toEqual([leader]);
    expect(group.log.count).toBe(leaderships);
  });

  it('a majority is needed: one node of three alone never leads', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { proxies: true });
    const leader = await group.settled();
    for (const name of ['n1', 'n2', 'n3']) group.isolate(name, 'hold');
    await waitFor(() => group!.acting().length === 0, { timeoutMs: 40 * T, what: 'the leader to step down' });
    expect(leader.isLeader()).toBe(false);
    group.heal();
    await group.settled();
  });
});
