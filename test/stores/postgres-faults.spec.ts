import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseEngine } from '../../lib/core/election/lease/lease-engine.js';
import { memoryLogger } from '../helpers/clusters.js';
import { FAST, LeaseNodes, type LeaseNode } from '../helpers/lease-nodes.js';
import { hasPostgres, PgBouncer, PostgresServer } from '../helpers/postgres-server.js';
import { waitFor } from '../helpers/wait-for.js';

let server: PostgresServer;
beforeAll(async () => {
  if (hasPostgres) server = await PostgresServer.start();
}, 120_000);
afterAll(async () => {
  await server?.dispose();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  const errors: unknown[] = [];
  while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
});

let leases = 0;
/** Three postgres-mode nodes on a lease of their own; the oracle is checked when they close. */
async function threeNodes(options: { url?: string; listen?: boolean; logger?: ReturnType<typeof memoryLogger> } = {}) {
  const name = `faults-${++leases}`;
  const postgres = { connectionString: options.url ?? server.url, listen: options.listen ?? true };
  const logger = options.logger ? { logger: options.logger } : {};
  const group = new LeaseNodes({ mode: 'postgres', postgres, lease: { name }, ...logger });
  cleanups.push(async () => {
    await group.closeAll();
    group.log.expectSafe();
  });
  const all = await group.start('a', 'b', 'c');
  return { group, all, name };
}

const noneActing = (group: LeaseNodes) => () => group.acting().length === 0;
const periods = (ms: number) => (ms / FAST.electionPeriod).toFixed(2);
const refused = (nodes: LeaseNode[]) => nodes.reduce((sum, n) => sum + (n.engine as LeaseEngine).invalidValues, 0);

describe.skipIf(!hasPostgres)('postgres mode: database failures', () => {
  it('a leader stops acting when the database dies, and the cluster elects again after a restart', async () => {
    const logger = memoryLogger();
    const { group, all } = await threeNodes({ logger });
    const token = (await group.settled(all)).cluster.getMyTerm();
    const killedAt = performance.now();
    await server.kill();
    await waitFor(noneActing(group), { timeoutMs: 10 * FAST.electionPeriod, what: 'the leader to stop acting' });
    console.info(`[report] PostgreSQL killed: leader stopped acting after ${periods(performance.now() - killedAt)} × electionPeriod`);
    const restartedAt = performance.now();
    await server.restart();
    const second = await group.settled(all);
    console.info(`[report] PostgreSQL restarted: leader after ${periods(performance.now() - restartedAt)} × electionPeriod`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
    await waitFor(() => logger.lines.some((l) => l.message === 'PostgreSQL lease: PostgreSQL answers again.'), { what: 'the recovery line' });
  });

  it('a paused database (SIGSTOP) makes the leader stop acting within its lease; after SIGCONT the cluster elects again', async () => {
    const { group, all } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    const pausedAt = performance.now();
    server.freeze(true);
    try {
      await waitFor(noneActing(group), { timeoutMs: 10 * FAST.electionPeriod, what: 'the leader to stop acting' });
      console.info(`[report] PostgreSQL paused: leader stopped acting after ${periods(performance.now() - pausedAt)} × electionPeriod`);
    } finally {
      server.freeze(false);
    }
    const second = await group.settled(all);
    expect(second.cluster.getMyTerm()).toBeGreaterThanOrEqual(token);
  });

  it("pg_terminate_backend of every node's connections changes nothing but a reconnect", async () => {
    const { group, all } = await threeNodes();
    const token = (await group.settled(all)).cluster.getMyTerm();
    await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
    // Renewals reconnect; the leader keeps its lease (or, at worst, one election follows).
    const leader = await group.settled(all);
    expect(leader.cluster.getMyTerm()).toBeGreaterThanOrEqual(token);
    // LISTEN came back too: a release still reaches the followers.
    await leader.cluster.close();
    await group.settled(group.live());
  });

  it('a lease row deleted by hand: the holder steps down, nobody leads for one period, tokens go on growing', async () => {
    const { group, all, name } = await threeNodes();
    const first = await group.settled(all);
    const token = first.cluster.getMyTerm();
    await server.query('DELETE FROM public.nest_cluster_lease WHERE name = $1', [name]);
    await waitFor(() => !first.cluster.isLeader(), { what: 'the holder to step down' });
    const second = await group.settled(all);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
  });

  const corruptions: [string, string][] = [
    ['a negative token', 'token = -5'],
    ['an absurd token', 'token = 1152921504606846976'],
    ['an empty holder', "holder = ''"],
    ['a lease that lasts a year', "expires_at = now() + interval '1 year'"],
    ['no end time', 'expires_at = NULL'],
    ['an infinite end time', "expires_at = 'infinity'"],
  ];
  for (const [what, change] of corruptions) {
    it(`a lease row corrupted by hand (${what}) is logged, never adopted, and elections go on`, async () => {
      const logger = memoryLogger();
      const { group, all, name } = await threeNodes({ logger });
      const holder = await group.settled(all);
      const token = holder.cluster.getMyTerm();
      // The holder dies first: a live one would renew over the edit; the others must not wait on it forever.
      await group.crash(holder);
      await server.query(`UPDATE public.nest_cluster_lease SET ${change} WHERE name = $1`, [name]);
      await waitFor(() => refused(all) > 0, { what: 'the bad value to be refused' });
      await waitFor(() => group.acting().every((n) => n.cluster.getMyTerm() > token) && group.acting().length === 1, {
        what: 'a leader with a higher token',
      });
      await group.settled(group.live());
      expect(logger.lines.some((l) => l.level === 'error' && /^PostgreSQL lease: "public\.nest_cluster_lease\[faults-\d+\]\.\w+" held /.test(l.message))).toBe(true);
    });
  }

  it('a token lowered by hand never lowers the next one: GREATEST(stored, seen) + 1', async () => {
    const { group, all, name } = await threeNodes();
    const holder = await group.settled(all);
    const token = holder.cluster.getMyTerm();
    await group.crash(holder);
    await server.query('UPDATE public.nest_cluster_lease SET token = 0, expires_at = now() WHERE name = $1', [name]);
    const next = await group.settled(group.live());
    expect(next.cluster.getMyTerm()).toBeGreaterThan(token);
  });

  it("a node whose application clock is minutes off changes nothing: the database's clock decides", async () => {
    const group = new LeaseNodes({ mode: 'postgres', postgres: { connectionString: server.url }, lease: { name: 'skew' } });
    cleanups.push(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const ahead = { now: () => performance.now() + 5 * 60_000, wallTime: () => Date.now() + 5 * 60_000 };
    const behind = { now: () => performance.now() + 1_000_000, wallTime: () => Date.now() - 5 * 60_000 };
    const all = [group.add('a', {}, { clock: ahead }), group.add('b', {}, { clock: behind }), group.add('c')];
    await Promise.all(all.map((n) => n.cluster.startUp()));
    for (let round = 0; round < 3; round++) {
      const leader = await group.settled(group.live());
      await group.crash(leader);
      if (group.live().length === 1) break;
    }
    await group.settled(group.live());
    expect(group.log.count).toBeGreaterThanOrEqual(3);
  });
});

describe.skipIf(!hasPostgres || !PgBouncer.available)('postgres mode: through PgBouncer in transaction mode', () => {
  it('elects, fails over and hands over with no session state, polling instead of LISTEN', async () => {
    const bouncer = await PgBouncer.start(server);
    cleanups.push(() => bouncer.dispose());
    const { group, all } = await threeNodes({ url: bouncer.url, listen: false });
    const first = await group.settled(all);
    await group.crash(first);
    const second = await group.settled(group.live());
    expect(second.cluster.getMyTerm()).toBeGreaterThan(first.cluster.getMyTerm());
    const closedAt = performance.now();
    await second.cluster.close();
    const third = await group.settled(group.live());
    console.info(`[report] PostgreSQL via PgBouncer, graceful close: successor after ${(performance.now() - closedAt).toFixed(0)} ms (polling)`);
    expect(third.cluster.getMyTerm()).toBeGreaterThan(second.cluster.getMyTerm());
  });
});
