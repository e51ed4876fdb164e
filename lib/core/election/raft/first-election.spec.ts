import { describe, expect, it } from 'vitest';
import type { PreVoteResponse } from './messages.js';
import { Network, T } from '../../../../test/helpers/raft-network.js';

/**
 * Issue #15, a fast first election: on a cold start, once the transport reports a quorum
 * connected, nodes campaign in the order of the node list instead of after a random election
 * timeout; a voter that may not vote yet says for how long, and is asked again then.
 */
const ids = ['a', 'b', 'c'];
/** Random parts near their maximum: a random election timeout would be close to 2T. */
const late = () => 0.99;

function reportConnected(net: Network, who: string[] = ids): void {
  for (const id of who) net.apply(id, net.node(id).connected(ids.filter((p) => p !== id), net.now));
}

describe('RaftNode first election', () => {
  it('with a quorum connected, the first node of the list leads within a few slots, not after a random timeout', () => {
    const net = new Network(ids, late);
    reportConnected(net);
    net.runUntil(T / 10);
    expect(net.leaders()).toEqual(['a']);
    expect(net.status('a').term).toBe(1);
    // Acting still waits out any lease a voter could have granted before it started (lease.ts).
    expect(net.status('a').acting).toBe(false);
    net.untilActing('a');
  });

  it('without a connection report, the first campaign waits a random election timeout as before', () => {
    const net = new Network(ids, late);
    net.runUntil(1.9 * T);
    expect(net.leaders()).toEqual([]);
  });

  it('a report of fewer peers than a quorum changes nothing', () => {
    const net = new Network(['a', 'b', 'c', 'd', 'e'], late);
    net.apply('a', net.node('a').connected(['b'], net.now));
    net.runUntil(T / 2);
    expect(net.sent.filter((m) => m.type === 'PreVote')).toEqual([]);
  });

  it('without persisted state, muted voters refuse the pre-vote saying for how long, and are asked again then', () => {
    const net = new Network(ids, late, false);
    net.now = 200; // b and c start 200 ms after a: muted until 1200, a until 1000
    net.start('b');
    net.start('c');
    reportConnected(net);
    net.runUntil(1100);
    const refusals = net.sent.filter((m): m is PreVoteResponse => m.type === 'PreVoteResponse' && m.mutedForMs !== undefined);
    expect(refusals.map((m) => [m.from, m.to])).toEqual([['b', 'a'], ['c', 'a']]);
    expect(refusals[0]!.mutedForMs).toBeGreaterThan(150);
    expect(net.leaders()).toEqual([]);
    net.runUntil(1300);
    expect(net.leaders()).toEqual(['a']);
    expect(net.status('a').term).toBe(1);
  });

  it('a node that has heard a leader ignores connection reports', () => {
    const net = new Network(ids);
    net.untilActing('a');
    net.start('b'); // a restart: b has voted for nobody since, and hears a's heartbeats
    net.runUntil(net.now + T / 5);
    expect(net.status('b').leader).toBe('a');
    const before = net.sent.length;
    // b stops hearing heartbeats: only its own timer may make it campaign, T or more later.
    net.apply('b', net.node('b').connected(['a', 'c'], net.now));
    net.runUntil(net.now + T / 2, (m) => !(m.type === 'Heartbeat' && m.to === 'b'));
    expect(net.sent.slice(before).filter((m) => m.from === 'b' && m.type === 'PreVote')).toEqual([]);
  });

  it("a peer's mute report is bounded: never sooner than a slot, never later than T", () => {
    const net = new Network(ids, late);
    reportConnected(net, ['a']);
    net.runUntil(T / 20, (m) => m.type === 'PreVote'); // a pre-votes; nobody answers
    expect(net.status('a').role).toBe('pre-candidate');
    const answer = (mutedForMs: number) =>
      net.node('a').step({ type: 'PreVoteResponse', from: 'b', to: 'a', term: 0, granted: false, mutedForMs }, net.now).wakeAt - net.now;
    expect(answer(0)).toBeGreaterThanOrEqual(T / 10 / 2);
    const far = new Network(ids, late);
    reportConnected(far, ['a']);
    far.runUntil(T / 20, (m) => m.type === 'PreVote');
    const wake = far.node('a').step({ type: 'PreVoteResponse', from: 'b', to: 'a', term: 0, granted: false, mutedForMs: 1e12 }, far.now).wakeAt;
    expect(wake - far.now).toBeLessThanOrEqual(T + T / 10);
  });
});
