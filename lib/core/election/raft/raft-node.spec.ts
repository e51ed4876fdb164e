import { describe, expect, it } from 'vitest';
import { MAX_TERM, MAX_TERM_STEP } from '../term-ceiling.js';
import { resolveRaftConfig } from './config.js';
import { RaftNode, RaftUsageError } from './raft-node.js';
import { Network, SPAN, T } from '../../../../test/helpers/raft-network.js';

/** A three-node cluster where `a` won term 1 and acts. */
/**
 * Leader `a` of a stable cluster crashes; `b` and `c` are told at once (the transport's peer-lost
 * signal) and run for 100 ms. Returns the lease `a` held when it died.
 */
function leaderCrashSeenByFollowers(): { net: Network; oldLease: number } {
  const net = stableCluster();
  const oldLease = net.status('a').leaseUntil!;
  net.crash('a');
  net.apply('b', net.node('b').peerLost('a', net.now));
  net.apply('c', net.node('c').peerLost('a', net.now));
  net.runUntil(net.now + 100);
  return { net, oldLease };
}

function stableCluster(ids = ['a', 'b', 'c']): Network {
  const net = new Network(ids);
  net.untilActing('a');
  net.runUntil(net.now + 3 * T);
  return net;
}

describe('RaftNode election', () => {
  it('a node whose election timer fires pre-votes, then wins its term and waits out the start-up lease', () => {
    const net = new Network(['a', 'b', 'c']);
    net.runUntil(T - 1);
    expect(net.leaders()).toEqual([]);
    net.runUntil(T);
    const kinds = net.sent.map((m) => m.type);
    expect(kinds.indexOf('PreVote')).toBeLessThan(kinds.indexOf('Vote'));
    expect(net.leaders()).toEqual(['a']);
    expect(net.status('b')).toMatchObject({ role: 'follower', term: 1, leader: 'a', votedFor: 'a' });
    // Every node counts its start as a possible acknowledgement, so `a` waits out one lease past it.
    expect(net.status('a').acting).toBe(false);
    expect(net.untilActing('a')).toBe(T + 50);
  });

  it('a split vote elects nobody, and a later randomized timeout breaks the tie', () => {
    const net = new Network(['a', 'b', 'c', 'd'], (id) => (id === 'a' || id === 'b' ? 0 : 0.9));
    // Let a and b both become candidates of term 1; c votes for a, d for b.
    net.runUntil(T, (m) => !(m.type === 'Vote' && ((m.from === 'a' && m.to === 'd') || (m.from === 'b' && m.to === 'c'))));
    expect(net.status('a')).toMatchObject({ role: 'candidate', term: 1 });
    expect(net.status('b')).toMatchObject({ role: 'candidate', term: 1 });
    expect(net.leaders()).toEqual([]);
    net.runUntil(6 * T);
    expect(net.leaders()).toHaveLength(1);
    expect(net.status(net.leaders()[0]!).term).toBeGreaterThan(1);
  });

  it('a leader that sees a higher term steps down and stops acting at once', () => {
    const net = stableCluster();
    expect(net.status('a').acting).toBe(true);
    const ready = net.node('a').step({ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 7, round: 1 }, net.now);
    expect(ready.softState).toBeDefined();
    expect(ready.persist).toEqual({ term: 7, votedFor: undefined });
    expect(net.status('a')).toMatchObject({ role: 'follower', term: 7, acting: false });
  });

  it('a stale leader cut off from the majority stops acting, is replaced, and steps down when it hears the new term', () => {
    const net = stableCluster();
    net.isolate('a');
    net.runUntil(net.now + 4 * T);
    expect(net.status('a')).toMatchObject({ term: 1, acting: false });
    expect(net.status('a').role).not.toBe('leader');
    const [fresh] = net.leaders();
    expect(fresh).not.toBe('a');
    expect(net.status(fresh!).term).toBe(2);
    net.heal();
    net.runUntil(net.now + T);
    expect(net.status('a')).toMatchObject({ role: 'follower', term: 2, leader: fresh });
  });

  it('a stale heartbeat is rejected with the higher term and earns no acknowledgement', () => {
    const net = stableCluster();
    net.node('b').step({ type: 'Vote', from: 'c', to: 'b', term: 5, transfer: true }, net.now);
    const reply = net.node('b').step({ type: 'Heartbeat', from: 'a', to: 'b', term: 1, round: 99 }, net.now);
    expect(reply.messages).toEqual([{ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 5, round: 99 }]);
    expect(net.status('b').leader).toBeUndefined();
  });

  it('followers that hear from their leader refuse pre-votes, so a rejoining node deposes nobody', () => {
    const net = stableCluster();
    net.isolate('c');
    net.runUntil(net.now + 5 * T);
    expect(net.status('c')).toMatchObject({ role: 'pre-candidate', term: 1 });
    net.heal();
    net.runUntil(net.now + 3 * T);
    expect(net.leaders()).toEqual(['a']);
    expect(net.status('a')).toMatchObject({ term: 1, acting: true });
    expect(net.sent.filter((m) => m.type === 'PreVoteResponse' && m.to === 'c').every((m) => m.type === 'PreVoteResponse' && !m.granted)).toBe(true);
  });

  it('a sticky follower refuses a vote without raising its term (thesis §4.2.3)', () => {
    const net = stableCluster();
    const reply = net.node('b').step({ type: 'Vote', from: 'c', to: 'b', term: 9, transfer: false }, net.now);
    expect(reply.messages[0]).toMatchObject({ type: 'VoteResponse', granted: false, term: 1 });
    expect(net.status('b').term).toBe(1);
  });
});

describe('RaftNode leadership transfer', () => {
  it('the leader stops acting before it sends TimeoutNow, and the target acts at once in the next term', () => {
    const net = stableCluster();
    const ready = net.apply('a', net.node('a').transferLeadership('c', net.now));
    expect(ready.softState).toBeDefined();
    expect(net.status('a').acting).toBe(false);
    expect(ready.messages).toEqual([{ type: 'TimeoutNow', from: 'a', to: 'c', term: 1, released: true }]);
    net.deliver();
    expect(net.status('c')).toMatchObject({ role: 'leader', term: 2, acting: true });
    expect(net.status('a')).toMatchObject({ role: 'follower', term: 2, leader: 'c' });
  });

  it('resign() stops acting at once but keeps leading, so followers stay with it and nobody else acts', () => {
    const net = stableCluster();
    const ready = net.apply('a', net.node('a').resign(net.now));
    expect(ready.softState).toBeDefined();
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: false, term: 1 });
    net.runUntil(net.now + 10 * T);
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: false, term: 1 });
    for (const id of ['b', 'c']) expect(net.status(id)).toMatchObject({ role: 'follower', leader: 'a', term: 1 });
    net.apply('a', net.node('a').transferLeadership(undefined, net.now));
    net.deliver();
    expect(['b', 'c'].filter((id) => net.status(id).acting)).toHaveLength(1);
  });

  it('a one-node cluster hands over by stepping down, not by waiting an election timeout', () => {
    const node = new RaftNode({ id: 'solo', peers: ['solo'], electionTimeoutMs: T, persisted: true }, undefined, 0, () => 0);
    let now = 0;
    for (let ready = node.tick(now); node.status(now).role !== 'leader'; ready = node.tick(now)) now = ready.wakeAt;
    const ready = node.transferLeadership(undefined, now);
    expect(ready.messages).toEqual([]);
    expect(node.status(now)).toMatchObject({ role: 'follower', acting: false });
  });

  it('a follower restarted without persisted state says it is not eligible, and is never the transfer target', () => {
    const net = new Network(['a', 'b', 'c'], undefined, false);
    net.runUntil(3 * T + 10 * T);
    const leader = ['a', 'b', 'c'].find((id) => net.status(id).acting)!;
    const [restarted, other] = ['a', 'b', 'c'].filter((id) => id !== leader) as [string, string];
    net.runUntil(net.now + T / 10); // both followers acknowledge a round
    net.start(restarted); // it forgets its vote: mute for one election timeout
    const heartbeat = { type: 'Heartbeat', from: leader, to: restarted, term: net.status(leader).term, round: 99 } as const;
    const reply = net.node(restarted).step(heartbeat, net.now + 1);
    expect(reply.messages).toMatchObject([{ type: 'HeartbeatResponse', eligible: false }]);
    net.node(leader).step(reply.messages[0]!, net.now + 2); // the newest word from any follower
    const ready = net.node(leader).transferLeadership(undefined, net.now + 2);
    expect(ready.messages).toMatchObject([{ type: 'TimeoutNow', to: other }]);
  });

  it('without a target the most recently acknowledging follower is chosen', () => {
    const net = stableCluster();
    net.node('a').step({ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 1, round: 0 }, net.now + 1);
    const ready = net.node('a').transferLeadership(undefined, net.now + 1);
    expect(ready.messages).toMatchObject([{ type: 'TimeoutNow', to: 'b' }]);
  });

  it('an abandoned transfer never lets the old leader act again in its term; it must win a new term', () => {
    const net = stableCluster();
    net.apply('a', net.node('a').transferLeadership('c', net.now));
    net.deliver((m) => m.type !== 'TimeoutNow');
    const until = net.now + T;
    let firstActAgain: { term: number; at: number } | undefined;
    while (!firstActAgain && net.now < until + 5 * T) {
      net.runUntil(net.now + 10, (m) => m.type !== 'TimeoutNow');
      const s = net.status('a');
      if (s.acting) firstActAgain = { term: s.term, at: net.now };
    }
    expect(firstActAgain).toBeDefined();
    expect(firstActAgain!.term).toBeGreaterThan(1);
    expect(firstActAgain!.at).toBeGreaterThanOrEqual(until);
  });
});

describe('RaftNode TimeoutNow from whom', () => {
  it('a TimeoutNow from a peer that is not this follower\'s leader is ignored (issue #10 item 5)', () => {
    const net = stableCluster();
    // b is a follower of a, not its leader: its TimeoutNow, with `released` too, must not start a campaign.
    const forged = net.node('c').step({ type: 'TimeoutNow', from: 'b', to: 'c', term: 1, released: true }, net.now);
    expect(forged.messages).toEqual([]);
    expect(net.status('c')).toMatchObject({ role: 'follower', term: 1, leader: 'a' });
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: true });
  });

  it('a TimeoutNow from the leader of an older term is ignored, one from the current leader is obeyed', () => {
    const net = stableCluster();
    const stale = net.node('c').step({ type: 'TimeoutNow', from: 'a', to: 'c', term: 0, released: true }, net.now);
    expect(stale.messages).toEqual([]);
    net.apply('a', net.node('a').transferLeadership('c', net.now));
    net.deliver();
    expect(net.status('c')).toMatchObject({ role: 'leader', term: 2, acting: true });
  });
});

describe('RaftNode leadership transfer before acting', () => {
  it('a leader that has not outlived older leases hands over without the shortcut: its successor waits', () => {
    const { net, oldLease } = leaderCrashSeenByFollowers();
    const [first] = net.leaders();
    const target = first === 'b' ? 'c' : 'b';
    expect(net.status(first!).acting).toBe(false);
    const ready = net.apply(first!, net.node(first!).transferLeadership(target, net.now));
    expect(ready.messages).toMatchObject([{ type: 'TimeoutNow', released: false }]);
    net.deliver();
    expect(net.status(target)).toMatchObject({ role: 'leader', acting: false });
    expect(net.untilActing(target)).toBeGreaterThanOrEqual(oldLease);
  });
});

describe('RaftNode lease', () => {
  it('a partitioned leader stops acting before a new leader starts acting', () => {
    const net = stableCluster();
    const lease = net.status('a').leaseUntil!;
    net.isolate('a');
    let stoppedAt: number | undefined;
    let newActingAt: number | undefined;
    while (newActingAt === undefined && net.now < 10 * T + lease) {
      net.runUntil(net.now + 1);
      if (stoppedAt === undefined && !net.status('a').acting) stoppedAt = net.now;
      if (net.acting().some((id) => id !== 'a')) newActingAt = net.now;
    }
    expect(stoppedAt).toBeLessThanOrEqual(lease);
    expect(newActingAt).toBeGreaterThan(lease);
    expect(net.status('a').role).toBe('follower');
  });

  it('a leader whose lease lapsed but that hears from a majority within T acts again in its term (CheckQuorum, thesis §6.2)', () => {
    const net = stableCluster();
    const lease = net.status('a').leaseUntil!;
    net.isolate('a'); // late acks under CPU load, as the leader sees them
    net.runUntil(lease + 1);
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: false, term: 1 });
    net.runUntil(net.now + T / 4); // still within T of the last acknowledged round
    net.heal();
    net.runUntil(net.now + T / 5);
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: true, term: 1 });
    expect(net.acting()).toEqual(['a']);
    for (const id of ['b', 'c']) expect(net.status(id)).toMatchObject({ term: 1, leader: 'a' });
  });

  it('a leader that hears from no majority for an election timeout steps down', () => {
    const net = stableCluster();
    net.isolate('a');
    net.runUntil(net.now + T + T / 10);
    expect(net.status('a').role).toBe('follower');
  });

  it('acknowledgements count only for the round they answer', () => {
    const net = stableCluster();
    const a = net.node('a');
    const before = net.status('a').leaseUntil!;
    // A late acknowledgement of an old round does not extend the lease to "now".
    a.step({ type: 'HeartbeatResponse', from: 'b', to: 'a', term: 1, round: 1 }, net.now);
    expect(net.status('a').leaseUntil).toBe(before);
    expect(before).toBeLessThanOrEqual(net.now + SPAN);
  });
});

describe('RaftNode restart', () => {
  it('with persisted state a restarted node keeps its term and does not vote twice in it', () => {
    const net = stableCluster();
    net.crash('b');
    net.start('b');
    expect(net.status('b')).toMatchObject({ term: 1, votedFor: 'a' });
    const reply = net.node('b').step({ type: 'Vote', from: 'c', to: 'b', term: 1, transfer: true }, net.now);
    expect(reply.messages[0]).toMatchObject({ type: 'VoteResponse', granted: false });
  });

  it('without persisted state a restarted node refuses to vote for one minimum election timeout', () => {
    const net = new Network(['a', 'b', 'c'], undefined, false);
    const b = net.node('b');
    const early = b.step({ type: 'Vote', from: 'c', to: 'b', term: 1, transfer: false }, T - 1);
    expect(early.messages[0]).toMatchObject({ granted: false });
    const later = b.step({ type: 'Vote', from: 'c', to: 'b', term: 2, transfer: false }, T);
    expect(later.messages[0]).toMatchObject({ granted: true });
    expect(later.persist).toBeUndefined();
  });

  it('a restarted node counts its start as its last acknowledgement when it votes', () => {
    const net = stableCluster();
    net.crash('b');
    net.start('b');
    const reply = net.node('b').step({ type: 'Vote', from: 'c', to: 'b', term: 2, transfer: false }, net.now + 10);
    expect(reply.messages[0]).toMatchObject({ granted: true, sinceLeaderMs: 10 });
  });

  describe('an incarnation that began before its node (incarnation.ts: the process started earlier)', () => {
    const volatile = { id: 'b', peers: ['a', 'b', 'c'], electionTimeoutMs: T, persisted: false };
    const vote = (node: RaftNode, now: number) => node.step({ type: 'Vote', from: 'c', to: 'b', term: 1, transfer: false }, now).messages[0];

    it('counts the mute from the incarnation\'s start, to the millisecond', () => {
      const now = 5000;
      expect(vote(new RaftNode(volatile, undefined, now, () => 0, now - T), now)).toMatchObject({ granted: true });
      expect(vote(new RaftNode(volatile, undefined, now, () => 0, now - T + 1), now)).toMatchObject({ granted: false });
      expect(vote(new RaftNode(volatile, undefined, now, () => 0, now - T + 1), now + 1)).toMatchObject({ granted: true });
    });

    it('reports the time since that start as its last acknowledgement, so a new leader waits only what is left of the lease', () => {
      const persisted = { ...volatile, persisted: true };
      expect(vote(new RaftNode(persisted, undefined, 5000, () => 0, 4200), 5010)).toMatchObject({ granted: true, sinceLeaderMs: 810 });
    });

    it('refuses a start later than now', () => {
      expect(() => new RaftNode(volatile, undefined, 5000, () => 0, 5001)).toThrow(RaftUsageError);
      expect(() => new RaftNode(volatile, undefined, 5000, () => 0, Number.NaN)).toThrow(RaftUsageError);
    });
  });
});

describe('RaftNode term ceiling (issue #10 item 3)', () => {
  it('a message with a term above the ceiling, or beyond reach of the known term, changes nothing', () => {
    const net = stableCluster();
    for (const term of [2 ** 53 - 1, MAX_TERM + 1, 1 + MAX_TERM_STEP + 1]) {
      const b = net.node('b').step({ type: 'Heartbeat', from: 'c', to: 'b', term, round: 1 }, net.now);
      const a = net.node('a').step({ type: 'HeartbeatResponse', from: 'b', to: 'a', term, round: 1 }, net.now);
      const c = net.node('c').step({ type: 'Vote', from: 'b', to: 'c', term, transfer: true }, net.now);
      expect([...b.messages, ...a.messages, ...c.messages]).toEqual([]);
      expect([b.persist, a.persist, c.persist]).toEqual([undefined, undefined, undefined]);
    }
    expect(net.ids.map((id) => net.status(id).term)).toEqual([1, 1, 1]);
    expect(net.status('a')).toMatchObject({ role: 'leader', acting: true });
  });

  it('after the largest jump one message may cause, elections go on with well-formed terms', () => {
    const net = stableCluster();
    const top = 1 + MAX_TERM_STEP;
    net.apply('b', net.node('b').step({ type: 'Vote', from: 'c', to: 'b', term: top, transfer: true }, net.now));
    net.deliver();
    expect(net.status('b').term).toBe(top);
    net.crash('a');
    net.runUntil(net.now + 10 * T);
    const [leader] = net.acting();
    expect(leader).toBeDefined();
    expect(net.status(leader!).term).toBeGreaterThan(top);
    expect(net.status(leader!).term).toBeLessThanOrEqual(MAX_TERM);
  });

  it('a node at the top of the term range never sends a campaign term above it', () => {
    const net = new Network(['a', 'b', 'c']);
    net.saved.set('a', { term: MAX_TERM });
    net.crash('a');
    net.start('a');
    net.sent.length = 0;
    net.runUntil(5 * T);
    expect(net.sent.every((m) => m.term <= MAX_TERM)).toBe(true);
  });
});

describe('RaftNode detect fast, act safely', () => {
  it('followers that see the leader lost elect a successor at once, which acts only after the old lease', () => {
    const { net, oldLease } = leaderCrashSeenByFollowers();
    const [fresh] = net.leaders();
    expect(fresh).toBeDefined();
    expect(net.status(fresh!)).toMatchObject({ term: 2, acting: false });
    const actingAt = net.untilActing(fresh!);
    expect(actingAt).toBeGreaterThanOrEqual(oldLease);
    expect(actingAt).toBeLessThan(net.now + T);
  });

  it('a spurious loss seen by one follower deposes nobody', () => {
    const net = stableCluster();
    net.apply('c', net.node('c').peerLost('a', net.now));
    net.runUntil(net.now + 3 * T);
    expect(net.leaders()).toEqual(['a']);
    expect(net.status('a')).toMatchObject({ term: 1, acting: true });
  });
});

describe('RaftConfig', () => {
  it('fills defaults: heartbeat T/10, lease T/2, ρ 0.05, δ max(5, T/20)', () => {
    expect(resolveRaftConfig({ id: 'a', peers: ['a'], electionTimeoutMs: T, persisted: true })).toMatchObject({
      heartbeatIntervalMs: 100,
      leaseMs: 500,
      clockDriftBound: 0.05,
      eventLoopMarginMs: 50,
    });
  });

  it('takes δ of at least 5 ms, as the options do', () => {
    expect(resolveRaftConfig({ id: 'a', peers: ['a'], electionTimeoutMs: 40, persisted: true }).eventLoopMarginMs).toBe(5);
  });

  // The timing rules (lease ≤ T, heartbeat ≤ T/2, usable lease > heartbeat) are checked once, on
  // the options: lib/config/resolve-options.spec.ts.

  it('rejects a node missing from its own peers', () => {
    const start = () => new RaftNode({ id: 'x', peers: ['a'], electionTimeoutMs: T, persisted: true }, undefined, 0, () => 0);
    expect(start).toThrow(RaftUsageError);
    expect(start).toThrow(/own id/);
  });
});
