import { describe, expect, it } from 'vitest';
import type { RaftStatus } from '../../lib/core/election/raft/index.js';
import { InvariantChecker } from './checker.js';
import { runSimulation, type Persistence } from './simulation.js';

const SEEDS: Record<number, number> = { 3: 1500, 5: 600, 7: 300 };

function leader(id: string, term: number, acting: boolean): RaftStatus {
  return { id, role: 'leader', term, acting };
}

describe('Raft election simulation', () => {
  for (const nodes of [3, 5, 7]) {
    for (const persistence of ['all', 'mixed', 'none'] as Persistence[]) {
      it(`${nodes} nodes (${persistence} persisted) keep every invariant under chaos`, () => {
        const failures: string[] = [];
        const seeds = persistence === 'all' ? SEEDS[nodes]! : SEEDS[nodes]! / 3;
        for (let seed = 1; seed <= seeds; seed++) {
          const result = runSimulation({ seed, nodes, events: 300, persistence });
          for (const v of result.violations) failures.push(`seed ${seed}: ${v.invariant}: ${v.detail}`);
        }
        expect(failures).toEqual([]);
      });
    }
  }

  it('catches a job runner that trusts the acting flag through a freeze (issue #9)', () => {
    const found = new Set<string>();
    for (let seed = 1; seed <= 40; seed++) {
      const result = runSimulation({ seed, nodes: 3, events: 300, persistence: 'all', acting: 'flag' });
      for (const v of result.violations) found.add(v.invariant);
    }
    expect([...found]).toEqual(expect.arrayContaining(['no-overlapping-acting', 'fencing-order']));
  });

  it('replays a seed exactly', () => {
    const trace = (seed: number) => {
      const lines: string[] = [];
      runSimulation({ seed, nodes: 5, events: 100, trace: (l) => lines.push(l) });
      return lines;
    };
    expect(trace(42)).toEqual(trace(42));
    expect(trace(42)).not.toEqual(trace(43));
  });
});

describe('InvariantChecker', () => {
  it('reports two nodes acting at overlapping instants', () => {
    const checker = new InvariantChecker(['a', 'b']);
    checker.observe(0, 0, leader('a', 1, true));
    checker.observe(1, 5, leader('b', 2, true));
    checker.observe(0, 7, leader('a', 1, false));
    // a's acting outlived the start of b's greater token, so the fencing order breaks too.
    expect(checker.violations.map((v) => v.invariant)).toEqual(['no-overlapping-acting', 'fencing-order']);
  });

  it('accepts acting intervals that touch but do not overlap', () => {
    const checker = new InvariantChecker(['a', 'b']);
    checker.observe(0, 0, leader('a', 1, true));
    checker.observe(0, 5, { id: 'a', role: 'follower', term: 2, acting: false });
    checker.observe(1, 5, leader('b', 2, true));
    expect(checker.violations).toEqual([]);
  });

  it('ends acting at the start of a freeze; on resume only a lease checked against the clock counts', () => {
    const checker = new InvariantChecker(['a', 'b']);
    checker.observe(0, 0, leader('a', 1, true));
    checker.froze(0, 5);
    checker.observe(1, 600, leader('b', 2, true));
    checker.observe(0, 900, leader('a', 1, false));
    expect(checker.violations).toEqual([]);
  });

  it('reports a leadership acting after one with a greater fencing token started', () => {
    const checker = new InvariantChecker(['a', 'b']);
    checker.observe(0, 0, leader('a', 1, true));
    checker.observe(0, 5, leader('a', 1, false));
    checker.observe(1, 10, leader('b', 2, true));
    checker.observe(1, 15, { id: 'b', role: 'follower', term: 2, acting: false });
    checker.observe(0, 20, leader('a', 1, true));
    expect(checker.violations.map((v) => v.invariant)).toEqual(['fencing-order']);
  });

  it('reports a second leader of a term, a falling term and a second vote in a term', () => {
    const checker = new InvariantChecker(['a', 'b']);
    checker.observe(0, 0, leader('a', 3, false));
    checker.observe(1, 1, leader('b', 3, false));
    checker.observe(1, 2, { id: 'b', role: 'follower', term: 2, acting: false, votedFor: 'a' });
    checker.observe(1, 3, { id: 'b', role: 'follower', term: 2, acting: false, votedFor: 'b' });
    expect(checker.violations.map((v) => v.invariant)).toEqual(['one-leader-per-term', 'term-monotonic', 'one-vote-per-term']);
  });
});
