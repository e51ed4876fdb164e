import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng.js';
import type { ChaosNode } from './chaos-node.js';
import { chooseNemesis } from './nemeses.js';
import type { ChaosNetwork } from './network.js';

/**
 * The faults of 30 cycles as run.ts draws them (gap, nemesis, duration) for one seed, with a leader
 * that changes by cycle. Nothing is started: a nemesis only names its fault until `start()`.
 */
function draws(seed: number, store: string | undefined): string[] {
  const prng = new Prng(seed);
  const nodes = ['n0', 'n1', 'n2'].map((name, i) => ({ name, spec: { dataDir: i % 2 === 0 ? `/data/${name}` : undefined } }));
  const names: string[] = [];
  for (let cycle = 0; cycle < 30; cycle++) {
    prng.between(200, 1000);
    const leader = cycle % 3 === 0 ? undefined : `n${cycle % 3}`;
    const nemesis = chooseNemesis({ prng, nodes: nodes as unknown as ChaosNode[], network: {} as ChaosNetwork, leader: () => leader, store });
    prng.between(1000, 4000);
    names.push(nemesis.name);
  }
  return names;
}

/** What redis mode drew for seed 16 before its nemeses became the store's (a run replays from its seed). */
const REDIS_SEED_16 = [
  'redis-cut(n1)+kill(n0, dataDir)', 'redis-cut(n1)', 'redis-loss(37%)', 'redis-loss(46%)', 'pause(n0)+kill(leader n1, no dataDir)',
  'halves(n0|n2,n1)', 'pause(n1)+redis-cut(n0)', 'redis-loss(48%)+halves(n1|n2,n0)', 'slow(n2, 16kbit, queue≤513ms)', 'redis-loss(38%)',
  'halves(n1|n0,n2)', 'redis-loss(37%)', 'pause(n0)', 'kill(leader n1, no dataDir)', 'redis-cut(n2)+redis-cut(n1)',
  'kill(n1, no dataDir)', 'redis-loss(46%)', 'redis-cut(n1)', 'redis-loss(42%)', 'redis-loss(25%)+kill(leader n1, no dataDir)',
  'kill(n2, dataDir)', 'halves(n0|n1,n2)', 'redis-loss(55%)+kill(leader n1, no dataDir)', 'pause(n2)+slow(n2, 46kbit, queue≤1448ms)', 'slow(n2, 30kbit, queue≤471ms)',
  'redis-cut(n2)', 'halves(n2|n1,n0)', 'redis-cut(n2)', 'kill(n1, no dataDir)+redis-cut(n1)', 'redis-cut(n2)+redis-cut(n2)',
];

describe('chaos nemeses', () => {
  it('redis mode draws the same faults from a seed as it did before the store modes shared its nemeses', () => {
    expect(draws(16, 'redis')).toEqual(REDIS_SEED_16);
  });

  it('every store mode draws the same faults from a seed, named after its store', () => {
    for (const store of ['postgres', 'mysql', 'kubernetes']) {
      expect(draws(16, store)).toEqual(REDIS_SEED_16.map((name) => name.replaceAll('redis-', `${store}-`)));
    }
  });

  it('cluster mode draws no store faults', () => {
    const names = Array.from({ length: 20 }, (_, seed) => draws(seed, undefined)).flat();
    expect(names.filter((n) => /redis|store|postgres/.test(n))).toEqual([]);
  });
});
