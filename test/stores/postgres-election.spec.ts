import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createCluster } from 'nest-cluster';
import { activeResources, leftOverSince } from '../helpers/handles.js';
import { FAST, LeaseNodes } from '../helpers/lease-nodes.js';
import { hasPostgres, PostgresServer } from '../helpers/postgres-server.js';
import { waitFor } from '../helpers/wait-for.js';
import { PostgresLeaseStore } from '../../lib/core/election/lease/stores/postgres/postgres-lease-store.js';
import { postgresStatements } from '../../lib/core/election/lease/stores/postgres/postgres-sql.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';

const server = useServer(hasPostgres, () => PostgresServer.start());

const cleanup = useCleanups();

let leases = 0;
/** Three postgres-mode nodes on a lease of their own, the oracle checked when they close. */
async function threeNodes(postgres: Record<string, unknown> = { connectionString: server().url }) {
  const group = new LeaseNodes({ mode: 'postgres', postgres, lease: { name: `election-${++leases}` } });
  cleanup(async () => {
    await group.closeAll();
    group.log.expectSafe();
  });
  const all = await group.start('a', 'b', 'c');
  return { group, all };
}

const periods = (ms: number) => (ms / FAST.electionPeriod).toFixed(2);

describe.skipIf(!hasPostgres)('postgres mode: election on a lease row', () => {
  it('three nodes elect one leader that the others follow, with the epoch as fencing token', async () => {
    const { group, all } = await threeNodes();
    const leader = await group.settled(all);
    expect(leader.cluster.getMyTerm()).toBeGreaterThanOrEqual(1);
    const { rows } = await server().query('SELECT holder, token::int AS token FROM public.nest_cluster_lease WHERE name = $1', [`election-${leases}`]);
    expect(rows).toEqual([{ holder: leader.name, token: leader.cluster.getMyTerm() }]);
    // The store's read() sees the same, with the time left on the database's clock.
    const pool = new pg.Pool({ connectionString: server().url, max: 1 });
    const store = new PostgresLeaseStore({ pool, owned: true, schema: 'public', table: 'nest_cluster_lease', name: `election-${leases}`, listen: false, relistenMs: 1000, onError: () => undefined });
    const reading = await store.read();
    expect(reading.holder).toMatchObject({ node: leader.name, token: leader.cluster.getMyTerm() });
    expect(reading.remainingMs).toBeGreaterThan(0);
    expect(reading.remainingMs).toBeLessThanOrEqual(FAST.electionPeriod);
    await store.close();
  });

  it('a crashed holder is succeeded once its lease runs out, with a higher token', async () => {
    const { group, all } = await threeNodes();
    const { ms } = await group.failOver(all);
    console.info(`[report] PostgreSQL holder crashed: successor after ${periods(ms)} × electionPeriod`);
  });

  it('a leader that closes hands over through NOTIFY: a successor takes over without waiting for the lease', async () => {
    const { group, all } = await threeNodes();
    const first = await group.settled(all);
    // Long polls: only the release notice can make a follower acquire before the lease would end.
    const closedAt = performance.now();
    await first.cluster.close();
    const second = await group.settled(group.live());
    console.info(`[report] PostgreSQL graceful close: successor after ${(performance.now() - closedAt).toFixed(0)} ms`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(first.cluster.getMyTerm());
  });

  it('followers learn of a release at once through LISTEN/NOTIFY, long before their next poll', async () => {
    // Attempts 20 s apart, so within the wait below only the release notice can make b acquire.
    const slow = { electionInterval: 20_000, electionPeriod: 60_000, syncLeaderInterval: 60_000 };
    await server().query(postgresStatements('public', 'nest_cluster_lease', 'listen').createTable);
    await server().query("INSERT INTO public.nest_cluster_lease VALUES ('listen', NULL, 0, now())"); // no first-start quarantine
    const group = new LeaseNodes({ mode: 'postgres', postgres: { connectionString: server().url }, lease: { name: 'listen', ...slow } });
    cleanup(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const a = group.add('a');
    await a.cluster.startUp();
    await waitFor(() => a.cluster.isLeader(), { what: 'a to lead' });
    const b = group.add('b');
    await b.cluster.startUp();
    await waitFor(() => b.cluster.getLeaderName() === 'a', { what: 'b to follow a' });
    await a.cluster.close();
    await waitFor(() => b.cluster.isLeader(), { timeoutMs: 5000, what: 'b to lead on the release notice' });
  });

  it('uses a pg.Pool it is given and leaves it open; a pool it made is ended on close, leaving nothing behind', async () => {
    const before = activeResources();
    const pool = new pg.Pool({ connectionString: server().url, max: 3 });
    const given = createCluster({ mode: 'postgres', logger: false, nodeName: 'given', postgres: { pool }, lease: { name: 'pools', ...FAST } });
    const made = createCluster({ mode: 'postgres', logger: false, nodeName: 'made', postgres: { connectionString: server().url }, lease: { name: 'pools', ...FAST } });
    await Promise.all([given.startUp(), made.startUp()]);
    await given.waitForLeader(15_000);
    await Promise.all([given.close(), made.close()]);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
    expect(await leftOverSince(before)).toEqual({});
  });

  it('creates the table in the configured schema, and rejects identifiers it would have to quote', async () => {
    await server().query('CREATE SCHEMA IF NOT EXISTS ops');
    const { group, all } = await threeNodes({ connectionString: server().url, schema: 'ops', table: 'leader_lease' });
    await group.settled(all);
    const { rows } = await server().query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'leader_lease'");
    expect(rows[0]).toEqual({ n: 1 });
    for (const table of ['lease; DROP TABLE x', 'Lease"', '1lease', '']) {
      expect(() => createCluster({ mode: 'postgres', postgres: { connectionString: server().url, table } })).toThrow(/postgres\.table/);
    }
    expect(() => createCluster({ mode: 'postgres', postgres: {} })).toThrow(/exactly one of postgres\.pool/);
  });
});
