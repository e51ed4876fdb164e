import { describe } from 'vitest';
import { leaseStoreFaults, type StoreUnderTest } from '../helpers/lease-store-faults.js';
import { hasMariadb, MariadbServer } from '../helpers/mariadb-server.js';
import { useServer } from '../helpers/lifecycle.js';

const server = useServer(hasMariadb, () => MariadbServer.start());

const table = 'nest_cluster.nest_cluster_lease';
const mariadb = (): StoreUnderTest => ({
  label: 'MySQL',
  options: (name) => ({ mode: 'mysql', mysql: { uri: server().uri }, lease: { name } }),
  kill: () => server().kill(),
  restart: () => server().restart(),
  freeze: (frozen) => server().freeze(frozen),
  exec: async (statement, name) => {
    if (statement !== 'KILL') return server().query(statement, statement.includes('?') ? [name] : []);
    // KILL takes one id per statement: end every other connection, one by one.
    const rows = (await server().query('SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID()')) as { id: number }[];
    for (const { id } of rows) await server().query(`KILL CONNECTION ${Number(id)}`).catch(() => undefined);
  },
  terminateConnections: 'KILL',
  deleteRow: `DELETE FROM ${table} WHERE name = ?`,
  update: (change) => `UPDATE ${table} SET ${change} WHERE name = ?`,
  corruptions: [
    ['a negative token', 'token = -5'],
    ['an absurd token', 'token = 1152921504606846976'],
    ['an empty holder', "holder = ''"],
    ['a lease that lasts a year', 'expires_at = UTC_TIMESTAMP(6) + INTERVAL 1 YEAR'],
    ['no end time', 'expires_at = NULL'],
  ],
  lowerToken: 'token = 0, expires_at = UTC_TIMESTAMP(6)',
});

describe.skipIf(!hasMariadb)('mysql mode (MariaDB): database failures', () => {
  leaseStoreFaults(mariadb);
});
