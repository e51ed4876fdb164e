import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { createCluster } from 'nest-cluster';
import { activeResources, leftOverSince } from '../helpers/handles.js';
import { FAST, LeaseNodes } from '../helpers/lease-nodes.js';
import { hasMariadb, MariadbServer } from '../helpers/mariadb-server.js';
import { MysqlLeaseStore } from '../../lib/core/election/lease/stores/mysql/mysql-lease-store.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';

const server = useServer(hasMariadb, () => MariadbServer.start());

const cleanup = useCleanups();

let leases = 0;
async function threeNodes(table?: string) {
  const name = `election-${++leases}`;
  const group = new LeaseNodes({ mode: 'mysql', mysql: { uri: server().uri, table }, lease: { name } });
  cleanup(async () => {
    await group.closeAll();
    group.log.expectSafe();
  });
  return { group, all: await group.start('a', 'b', 'c'), name };
}

const periods = (ms: number) => (ms / FAST.electionPeriod).toFixed(2);

describe.skipIf(!hasMariadb)('mysql mode (MariaDB): election on a lease row', () => {
  it('three nodes elect one leader that the others follow, with the epoch as fencing token', async () => {
    const { group, all, name } = await threeNodes();
    const leader = await group.settled(all);
    const rows = await server().query('SELECT holder, token FROM nest_cluster.nest_cluster_lease WHERE name = ?', [name]);
    expect(rows).toEqual([{ holder: leader.name, token: leader.cluster.getMyTerm() }]);
    // The store's read() sees the same, with the time left on the database's clock.
    const store = new MysqlLeaseStore({ pool: mysql.createPool({ uri: server().uri, connectionLimit: 1 }), owned: true, table: 'nest_cluster_lease', name });
    const reading = await store.read();
    expect(reading.holder).toMatchObject({ node: leader.name, token: leader.cluster.getMyTerm() });
    expect(Number(reading.remainingMs)).toBeGreaterThan(0);
    expect(Number(reading.remainingMs)).toBeLessThanOrEqual(FAST.electionPeriod);
    await store.close();
  });

  it('a crashed holder is succeeded once its lease runs out; a closing one hands over at the next poll', async () => {
    const { group, all } = await threeNodes();
    const { successor: second, ms } = await group.failOver(all);
    console.info(`[report] MySQL holder crashed: successor after ${periods(ms)} × electionPeriod`);
    const closedAt = performance.now();
    await second.cluster.close();
    const third = await group.settled(group.live());
    console.info(`[report] MySQL graceful close: successor after ${(performance.now() - closedAt).toFixed(0)} ms (polling every ${FAST.syncLeaderInterval} ms)`);
    expect(third.cluster.getMyTerm()).toBeGreaterThan(second.cluster.getMyTerm());
  });

  it('uses a mysql2 pool it is given and leaves it open; a pool it made is ended on close, leaving nothing behind', async () => {
    const before = activeResources();
    const pool = mysql.createPool({ uri: server().uri, connectionLimit: 2 });
    const lease = { name: 'pools', ...FAST };
    const given = createCluster({ mode: 'mysql', logger: false, nodeName: 'given', mysql: { pool }, lease });
    const made = createCluster({ mode: 'mysql', logger: false, nodeName: 'made', mysql: { uri: server().uri }, lease });
    await Promise.all([given.startUp(), made.startUp()]);
    await given.waitForLeader(15_000);
    await Promise.all([given.close(), made.close()]);
    const [rows] = await pool.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    await pool.end();
    expect(await leftOverSince(before)).toEqual({});
  });

  it('creates the table it is told to, and rejects names it would have to quote', async () => {
    const { group, all } = await threeNodes('leader_lease');
    await group.settled(all);
    expect(await server().query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'leader_lease'")).toEqual([{ n: 1 }]);
    for (const table of ['lease`; DROP TABLE x', '1lease', '']) {
      expect(() => createCluster({ mode: 'mysql', mysql: { uri: server().uri, table } })).toThrow(/mysql\.table/);
    }
    expect(() => createCluster({ mode: 'mysql', mysql: { uri: server().uri, pool: {} as never } })).toThrow(/exactly one of mysql\.pool/);
  });
});
