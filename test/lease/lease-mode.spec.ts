import { describe, expect, it } from 'vitest';
import { createCluster } from 'nest-cluster';
import type { AcquireReply, LeaseStore } from '../../lib/core/election/lease/lease-store.js';
import { memoryLogger } from '../helpers/clusters.js';
import { FAST, LeaseNodes } from '../helpers/lease-nodes.js';
import { useCleanups } from '../helpers/lifecycle.js';
import { MemoryStore } from '../helpers/memory-lease-store.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanup = useCleanups();

function nodes(store: LeaseStore, logger: ReturnType<typeof memoryLogger> | false = false) {
  const group = new LeaseNodes({ mode: 'lease', lease: { store }, logger });
  cleanup(async () => {
    await group.closeAll();
    group.log.expectSafe();
  });
  return group;
}

/** A store that answers every acquisition with `reply`: a buggy or hostile user store. */
function hostile(reply: AcquireReply): LeaseStore {
  return {
    leaseName: 'hostile',
    label: 'Hostile',
    acquire: async () => reply,
    renew: async () => true,
    release: async () => true,
    read: async () => reply,
    close: async () => undefined,
  };
}

describe("mode 'lease': a store of the application's own", () => {
  it('three nodes on one user store elect one leader, fail over, and hand over through its notices', async () => {
    const store = new MemoryStore();
    store.deliver = true;
    const group = nodes(store);
    const all = await group.start('a', 'b', 'c');
    const { successor: second } = await group.failOver(all);
    await second.cluster.close();
    const third = await group.settled(group.live());
    expect(third.cluster.getMyTerm()).toBeGreaterThan(second.cluster.getMyTerm());
  });

  const bad: [string, AcquireReply][] = [
    ['a token of 1e300', { acquired: true, holder: { node: 'a', token: 1e300, raw: 'x' }, remainingMs: 500, quarantined: false }],
    ['a token given as a string', { acquired: true, holder: { node: 'a', token: '7', raw: 'x' }, remainingMs: 500, quarantined: false }],
    ['a numeric node name', { acquired: false, holder: { node: 5, token: 3, raw: 'x' }, remainingMs: 500, quarantined: false }],
    ['an endless lease', { acquired: false, holder: { node: 'z', token: 3, raw: 'x' }, remainingMs: Infinity, quarantined: false }],
    ['a time left that is no number', { acquired: false, holder: { node: 'z', token: 3, raw: 'x' }, remainingMs: '500', quarantined: false }],
  ];
  for (const [what, reply] of bad) {
    it(`a store answering with ${what} is logged as an error, counted, and never adopted`, async () => {
      const logger = memoryLogger();
      const group = nodes(hostile(reply), logger);
      const [a] = await group.start('a');
      await waitFor(() => logger.lines.some((l) => l.level === 'error' && /^Hostile lease: "hostile" held /.test(l.message)), {
        what: 'the refusal',
      });
      expect(a!.cluster.isLeader()).toBe(false);
      expect(a!.cluster.getLeaderName()).toBeUndefined();
      expect(a!.cluster.getMyTerm()).toBeLessThan(1e6);
    });
  }

  it('needs a store, and one with the LeaseStore methods', () => {
    expect(() => createCluster({ mode: 'lease' })).toThrow(/`lease\.store`: mode 'lease' needs a store/);
    expect(() => createCluster({ mode: 'lease', lease: { store: { leaseName: 'x' } as never } })).toThrow(/missing acquire, renew, release, read, close/);
    expect(() => createCluster({ mode: 'redis', redis: { url: 'redis://x' }, lease: { store: new MemoryStore() } })).toThrow(/only in mode 'lease'/);
    expect(() => createCluster({ mode: 'lease', lease: { store: new MemoryStore(), ...FAST, electionPeriod: 150 } })).toThrow(
      /`lease\.electionPeriod`: the lease \(150 ms\) must be longer/,
    );
  });
});
