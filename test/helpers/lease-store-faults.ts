import { expect, it } from 'vitest';
import type { ClusterModuleOptions } from '../../lib/config/cluster-options.js';
import type { LeaseEngine } from '../../lib/core/election/lease/lease-engine.js';
import { memoryLogger } from './clusters.js';
import { FAST, LeaseNodes, type LeaseNode } from './lease-nodes.js';
import { useCleanups } from './lifecycle.js';
import { waitFor } from './wait-for.js';

/** A database the shared lease scenarios run against; `name` is the lease's row. */
export interface StoreUnderTest {
  /** How log lines name the store: `PostgreSQL`. */
  readonly label: string;
  /** The mode and connection options for a lease named `name`. */
  options(name: string): ClusterModuleOptions;
  kill(): Promise<void>;
  restart(): Promise<void>;
  freeze(frozen: boolean): void;
  /** Runs `statement` with the lease's name as its only parameter. */
  exec(statement: string, name: string): Promise<unknown>;
  /** Ends every client connection but the one that runs it. */
  readonly terminateConnections: string;
  readonly deleteRow: string;
  /** `UPDATE ... SET <change> WHERE name = ?` per corruption. */
  update(change: string): string;
  readonly corruptions: readonly (readonly [what: string, change: string])[];
  /** A change that lowers the token to 0 and ends the lease now. */
  readonly lowerToken: string;
}

const noneActing = (group: LeaseNodes) => () => group.acting().length === 0;
const periods = (ms: number) => (ms / FAST.electionPeriod).toFixed(2);
const refused = (nodes: LeaseNode[]) => nodes.reduce((sum, n) => sum + (n.engine as LeaseEngine).invalidValues, 0);

/**
 * The failure scenarios of issue #13 for one SQL store: outage, pause, killed connections, rows
 * deleted, lowered or corrupted by hand, and skewed application clocks. Every scenario ends with
 * the acting-log oracle: never two acting leaders, fencing tokens strictly increasing.
 */
export function leaseStoreFaults(store: () => StoreUnderTest): void {
  const cleanup = useCleanups();

  let leases = 0;
  async function threeNodes(logger = memoryLogger()) {
    const name = `faults-${++leases}`;
    const group = new LeaseNodes({ ...store().options(name), logger });
    cleanup(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    return { group, all: await group.start('a', 'b', 'c'), name, logger };
  }

  it('a leader stops acting when the database dies, and the cluster elects again after a restart', async () => {
    const { label } = store();
    const { group, all, logger } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    const killedAt = performance.now();
    await store().kill();
    await waitFor(noneActing(group), { timeoutMs: 10 * FAST.electionPeriod, what: 'the leader to stop acting' });
    console.info(`[report] ${label} killed: leader stopped acting after ${periods(performance.now() - killedAt)} × electionPeriod`);
    const restartedAt = performance.now();
    await store().restart();
    const second = await group.settled(all);
    console.info(`[report] ${label} restarted: leader after ${periods(performance.now() - restartedAt)} × electionPeriod`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
    await waitFor(() => logger.lines.some((l) => l.message === `${label} lease: ${label} answers again.`), { what: 'the recovery line' });
  });

  it('a paused database (SIGSTOP) makes the leader stop acting within its lease; after SIGCONT the cluster elects again', async () => {
    const { group, all } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    const pausedAt = performance.now();
    store().freeze(true);
    try {
      await waitFor(noneActing(group), { timeoutMs: 10 * FAST.electionPeriod, what: 'the leader to stop acting' });
      console.info(`[report] ${store().label} paused: leader stopped acting after ${periods(performance.now() - pausedAt)} × electionPeriod`);
    } finally {
      store().freeze(false);
    }
    expect((await group.settled(all)).cluster.getMyTerm()).toBeGreaterThanOrEqual(token);
  });

  it("killing every node's connections on the server changes nothing but a reconnect", async () => {
    const { group, all, name } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    await store().exec(store().terminateConnections, name);
    const leader = await group.settled(all);
    expect(leader.cluster.getMyTerm()).toBeGreaterThanOrEqual(token);
    await leader.cluster.close();
    await group.settled(group.live());
  });

  it('a lease row deleted by hand: the holder steps down, nobody leads for one period, tokens go on growing', async () => {
    const { group, all, name } = await threeNodes();
    const first = await group.settled(all);
    const token = first.cluster.getMyTerm();
    await store().exec(store().deleteRow, name);
    await waitFor(() => !first.cluster.isLeader(), { what: 'the holder to step down' });
    expect((await group.settled(all)).cluster.getMyTerm()).toBeGreaterThan(token);
  });

  it('a token lowered by hand never lowers the next one: GREATEST(stored, seen) + 1', async () => {
    const { group, all, name } = await threeNodes();
    const holder = await group.settled(all);
    const token = holder.cluster.getMyTerm();
    await group.crash(holder);
    await store().exec(store().update(store().lowerToken), name);
    expect((await group.settled(group.live())).cluster.getMyTerm()).toBeGreaterThan(token);
  });

  it('a lease row corrupted by hand is logged, never adopted, and elections go on, for every kind of corruption', async () => {
    for (const [what, change] of store().corruptions) {
      const { group, all, name, logger } = await threeNodes();
      const holder = await group.settled(all);
      const token = holder.cluster.getMyTerm();
      // The holder dies first: a live one would renew over the edit; the others must not wait on it forever.
      await group.crash(holder);
      await store().exec(store().update(change), name);
      await waitFor(() => refused(all) > 0, { what: `${what} to be refused` });
      const next = await group.settled(group.live());
      expect(next.cluster.getMyTerm(), what).toBeGreaterThan(token);
      const line = new RegExp(`^${store().label} lease: "[^"]*\\[${name}\\]\\.\\w+" held `);
      expect(logger.lines.some((l) => l.level === 'error' && line.test(l.message)), what).toBe(true);
    }
  });

  it("a node whose application clock is minutes off changes nothing: the database's clock decides", async () => {
    const group = new LeaseNodes({ ...store().options('skew'), logger: false });
    cleanup(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const ahead = { now: () => performance.now() + 5 * 60_000, wallTime: () => Date.now() + 5 * 60_000 };
    const behind = { now: () => performance.now() - 5 * 60_000, wallTime: () => Date.now() - 5 * 60_000 };
    const all = [group.add('a', {}, { clock: ahead }), group.add('b', {}, { clock: behind }), group.add('c')];
    await Promise.all(all.map((n) => n.cluster.startUp()));
    while (group.live().length > 1) await group.crash(await group.settled(group.live()));
    await group.settled(group.live());
    expect(group.log.count).toBeGreaterThanOrEqual(3);
  });
}
