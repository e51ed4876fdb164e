import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../lib/core/transport/frame-codec.js';
import type { Tamper } from '../helpers/frame-proxy.js';
import { RaftCluster } from '../helpers/raft-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

let group: RaftCluster | undefined;
afterEach(async () => {
  await group?.close();
  group?.log.expectSafe();
  group = undefined;
});

const violations = (group: RaftCluster) =>
  [...group.clusters.values()].reduce((sum, c) => sum + (c.getStats().transport?.violations['frame-auth-failed'] ?? 0), 0);

/**
 * Issue #10 finding 6, at cluster level: an on-path proxy on every link tampers with the leader's
 * next frame to each follower. Each tampered link is dropped and counted, and the cluster settles
 * again under one leader, never two acting at once (ActingLog.expectSafe after each test).
 */
describe('a Raft cluster behind on-path proxies that tamper with frames after the handshake', () => {
  const cases: [string, Tamper][] = [
    ['a flipped bit', { kind: 'flip' }],
    ['a dropped frame', { kind: 'drop' }],
    ['a duplicated frame', { kind: 'duplicate' }],
    ['reordered frames', { kind: 'reorder' }],
  ];
  it.each(cases)('recovers from %s on every link from the leader', async (_, tamper) => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { frameProxies: true });
    const leader = (await group.settled()).getMyName();
    const before = violations(group);
    for (const follower of ['n1', 'n2', 'n3'].filter((n) => n !== leader)) group.tamper(leader, follower, tamper);
    await waitFor(() => violations(group!) >= before + 2, { what: 'both followers to drop their tampered links' });
    await group.settled();
  });

  // The pair link between two nodes is dialled by the name that sorts first: with n3 leading, the
  // leader's frames travel on links the followers dialled, the other way through each proxy.
  it('recovers from a flipped bit when the leader\'s name sorts last, on links its followers dialled', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { frameProxies: true });
    const first = await group.settled();
    if (first.getMyName() !== 'n3') await first.transferLeadership('n3');
    expect((await group.settled()).getMyName()).toBe('n3');
    const before = violations(group);
    for (const follower of ['n1', 'n2']) group.tamper('n3', follower, { kind: 'flip' });
    await waitFor(() => violations(group!) >= before + 2, { what: 'both followers to drop their tampered links' });
    await group.settled();
  });

  it('never adopts a forged heartbeat with a far higher term injected into a live link', async () => {
    group = await RaftCluster.start(['n1', 'n2', 'n3'], { frameProxies: true });
    const leaderNode = await group.settled();
    const leader = leaderNode.getMyName();
    const term = leaderNode.getMyTerm();
    const follower = ['n1', 'n2', 'n3'].find((n) => n !== leader)!;
    const forged = encodeFrame({ type: 'raft', payload: { type: 'Heartbeat', from: leader, to: follower, term: term + 1000, round: 1 } });
    const before = violations(group);
    group.tamper(leader, follower, { kind: 'inject', frame: forged });
    await waitFor(() => violations(group!) > before, { what: 'the forged frame to be refused' });
    await group.settled();
    for (const cluster of group.clusters.values()) expect(cluster.getMyTerm()).toBeLessThan(term + 1000);
  });
});
