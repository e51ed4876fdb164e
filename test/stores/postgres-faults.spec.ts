import { describe, expect, it } from 'vitest';
import { LeaseNodes } from '../helpers/lease-nodes.js';
import { leaseStoreFaults, type StoreUnderTest } from '../helpers/lease-store-faults.js';
import { hasPostgres, PgBouncer, PostgresServer } from '../helpers/postgres-server.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';

const server = useServer(hasPostgres, () => PostgresServer.start());

const table = 'public.nest_cluster_lease';
const postgres = (): StoreUnderTest => ({
  label: 'PostgreSQL',
  options: (name) => ({ mode: 'postgres', postgres: { connectionString: server().url }, lease: { name } }),
  kill: () => server().kill(),
  restart: () => server().restart(),
  freeze: (frozen) => server().freeze(frozen),
  exec: (statement, name) => server().query(statement, statement.includes('$1') ? [name] : []),
  terminateConnections: 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  deleteRow: `DELETE FROM ${table} WHERE name = $1`,
  update: (change) => `UPDATE ${table} SET ${change} WHERE name = $1`,
  corruptions: [
    ['a negative token', 'token = -5'],
    ['an absurd token', 'token = 1152921504606846976'],
    ['an empty holder', "holder = ''"],
    ['a lease that lasts a year', "expires_at = now() + interval '1 year'"],
    ['no end time', 'expires_at = NULL'],
    ['an infinite end time', "expires_at = 'infinity'"],
  ],
  lowerToken: 'token = 0, expires_at = now()',
});

describe.skipIf(!hasPostgres)('postgres mode: database failures', () => {
  leaseStoreFaults(postgres);
});

describe.skipIf(!hasPostgres || !PgBouncer.available)('postgres mode: through PgBouncer in transaction mode', () => {
  const cleanup = useCleanups();

  it('elects, fails over and hands over with no session state, polling instead of LISTEN', async () => {
    const bouncer = await PgBouncer.start(server());
    cleanup(() => bouncer.dispose());
    const group = new LeaseNodes({ mode: 'postgres', postgres: { connectionString: bouncer.url, listen: false }, lease: { name: 'bouncer' } });
    cleanup(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const all = await group.start('a', 'b', 'c');
    const { successor: second } = await group.failOver(all);
    const closedAt = performance.now();
    await second.cluster.close();
    const third = await group.settled(group.live());
    console.info(`[report] PostgreSQL via PgBouncer, graceful close: successor after ${(performance.now() - closedAt).toFixed(0)} ms (polling)`);
    expect(third.cluster.getMyTerm()).toBeGreaterThan(second.cluster.getMyTerm());
  });
});
