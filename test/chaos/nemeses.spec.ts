import { describe, expect, it } from 'vitest';
import { Prng } from '../sim/prng.js';
import type { ChaosNode } from './chaos-node.js';
import { chooseNemesis } from './nemeses.js';
import type { ChaosNetwork } from './network.js';
import type { LinkDelays } from './relay-member.js';

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
    const nemesis = chooseNemesis({ prng, nodes: nodes as unknown as ChaosNode[], network: {} as ChaosNetwork, leader: () => leader, store, delays: {} as LinkDelays });
    prng.between(1000, 4000);
    names.push(nemesis.name);
  }
  return names;
}


describe('chaos nemeses', () => {
  it('a seed draws the same faults every time (a run replays from its seed)', () => {
    const first = draws(16, 'redis');
    expect(draws(16, 'redis')).toEqual(first);
    expect(first.some((n) => n.includes('redis-'))).toBe(true);
    expect(draws(17, 'redis')).not.toEqual(first);
  });

  it('every store mode draws the same faults from a seed, named after its store', () => {
    for (const store of ['postgres', 'mysql', 'kubernetes']) {
      expect(draws(16, store)).toEqual(draws(16, 'redis').map((name) => name.replaceAll('redis-', `${store}-`)));
    }
  });

  it('cluster mode draws no store faults', () => {
    const names = Array.from({ length: 20 }, (_, seed) => draws(seed, undefined)).flat();
    expect(names.filter((n) => /redis|store|postgres/.test(n))).toEqual([]);
  });
});
