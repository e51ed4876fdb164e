import { describe, expect, it } from 'vitest';
import type { Fact } from './facts.js';
import { countByKind, judge } from './oracle.js';

// The oracle on synthetic timelines: each rule is broken once on purpose, so every count can be
// seen to fail, and the allowed cases (a paused window, a restart without dataDir) to pass.

const options = { until: 10_000, callSlackMs: 500, stallMarginMs: 25, doubleVoteWindowMs: 10_000 };
const counts = (facts: Fact[], until = options.until) => countByKind(judge(facts, { ...options, until }).violations);

const spawn = (node: string, at: number, dataDir = true): Fact => ({ kind: 'spawn', node, dataDir, at });
const sign = (node: string, term: number, at: number, leaseEnd: number): Fact => ({ kind: 'event', type: 'SignMaster', node, term, leader: node, leaseEnd, at });
const stop = (node: string, term: number, at: number): Fact => ({ kind: 'event', type: 'StopMaster', node, term, leader: node, leaseEnd: null, at });
const tick = (node: string, token: number, at: number, leaseEnd: number | null): Fact => ({ kind: 'tick', node, token, term: token, leaseEnd, at });
const paused = (node: string, from: number, to: number): Fact => ({ kind: 'paused', node, from, to, at: to });

/** A leads term 1 from 0 to 300 ticking inside a lease renewed every 10 ms; B leads term 2 from 1000. */
function handOver(): Fact[] {
  const facts: Fact[] = [spawn('a', -100), spawn('b', -100), sign('a', 1, 0, 250)];
  for (let at = 10; at < 300; at += 10) facts.push(tick('a', 1, at, at + 250));
  facts.push(stop('a', 1, 800), sign('b', 2, 1000, 1250));
  for (let at = 1010; at < 1300; at += 10) facts.push(tick('b', 2, at, at + 250));
  return facts;
}

describe('chaos oracle', () => {
  it('finds nothing wrong with a clean hand-over', () => {
    expect(counts(handOver())).toEqual({ overlap: 0, stale_tick: 0, token_regression: 0, dual_term: 0, hung_call: 0 });
  });

  it('cuts an acting span at the lease end the node reported, not at a late StopMaster', () => {
    // A's last lease sample ends at 540, its StopMaster comes at 800: B signing at 1000 is fine,
    // and B signing at 600 still is; at 500 it is not.
    const bSignsAt = (at: number) => handOver().map((f) => (f.kind === 'event' && f.node === 'b' ? { ...f, at } : f));
    expect(counts(bSignsAt(600)).overlap).toBe(0);
    expect(counts(bSignsAt(500)).overlap).toBe(1);
  });

  it('reports two nodes acting at once, from their spans', () => {
    const facts = [...handOver(), sign('c', 3, 1100, 1400)];
    expect(counts(facts).overlap).toBe(1);
  });

  it('cuts paused windows out of acting spans, and only them', () => {
    // A holds a 5 s lease (as a buggy lease would) but is stopped from 100 to 3000; B acts from 1000.
    const facts: Fact[] = [spawn('a', -100), spawn('b', -100), sign('a', 1, 0, 5000), tick('a', 1, 50, 5000), stop('a', 1, 3001)];
    facts.push(sign('b', 2, 1000, 1250), tick('b', 2, 1010, 1260));
    expect(counts(facts).overlap).toBe(1);
    expect(counts([...facts, paused('a', 100, 3000)]).overlap).toBe(0);
    expect(counts([...facts, paused('a', 100, 1005)]).overlap).toBe(1);
  });

  it('reports a tick outside its own lease by δ or more, and a tick inside another node\'s span', () => {
    const facts = [...handOver(), tick('a', 1, 1100, null), tick('a', 1, 1110, 1050)];
    const found = counts(facts);
    expect(found.stale_tick).toBe(2);
    // Within δ of its lease end a tick passed its check in time (a stall after it is paid for).
    expect(counts([...handOver(), tick('a', 1, 310, 290)]).stale_tick).toBe(0);
    expect(counts([...handOver(), tick('a', 1, 315, 290)]).stale_tick).toBe(1);
    expect(found.overlap).toBe(1); // one per node, token and other node, however many ticks
  });

  it('reports a fencing token that goes backwards across the cluster', () => {
    expect(counts([...handOver(), tick('a', 1, 1200, 1210)]).token_regression).toBe(1);
  });

  it('allows a leader to act again with its token after a lapse within its term', () => {
    const facts = [...handOver(), stop('b', 2, 1400), sign('b', 2, 1500, 1750), tick('b', 2, 1510, 1760)];
    expect(counts(facts)).toMatchObject({ overlap: 0, token_regression: 0, dual_term: 0 });
  });

  it('reports two leaders of one term, unless a node restarted without dataDir could have voted twice', () => {
    const facts = [...handOver(), stop('b', 2, 1400), sign('c', 2, 2000, 2250)];
    expect(counts(facts).dual_term).toBe(1);
    const verdict = judge([...facts, spawn('c', -100, false), spawn('c', 1500, false)], options);
    expect(countByKind(verdict.violations).dual_term).toBe(0);
    expect(verdict.excusedDualTerms).toBe(1);
    expect(counts([...facts, spawn('c', -100, true), spawn('c', 1500, true)]).dual_term).toBe(1);
  });

  it('reports a call that settles late, never, or with an untyped error', () => {
    const start = (id: number, at: number): Fact => ({ kind: 'call-start', node: 'a', id, target: 'b', timeoutMs: 500, at });
    const end = (id: number, at: number, ok = true, code: string | null = null): Fact => ({ kind: 'call-end', node: 'a', id, ok, code, at });
    const base = [spawn('a', 0), spawn('b', 0)];
    expect(counts([...base, start(1, 100), end(1, 700, false, 'ERR_CLUSTER_TIMEOUT')]).hung_call).toBe(0);
    expect(counts([...base, start(1, 100), end(1, 1200)]).hung_call).toBe(1);
    expect(counts([...base, start(1, 100)], 2000).hung_call).toBe(1);
    expect(counts([...base, start(1, 100), end(1, 200, false, null)]).hung_call).toBe(1);
    // The caller was stopped for 2 s of it, or killed: neither is the call's fault.
    expect(counts([...base, start(1, 100), paused('a', 200, 2200), end(1, 2500)]).hung_call).toBe(0);
    expect(counts([...base, start(1, 100), { kind: 'sigkill', node: 'a', at: 300 }], 5000).hung_call).toBe(0);
  });

  it('measures recovery from each heal to the first tick inside a lease', () => {
    const facts: Fact[] = [...handOver(), { kind: 'heal', node: '-', cycle: 1, at: 900 }, { kind: 'heal', node: '-', cycle: 2, at: 5000 }];
    expect(judge(facts, options).recoveries).toEqual([110, null]);
  });
});
