import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { MysqlLeaseStore } from '../../lib/core/election/lease/stores/mysql/mysql-lease-store.js';
import type { MysqlPoolLike } from '../../lib/core/election/lease/stores/mysql/mysql-types.js';
import { hasMariadb, MariadbServer } from '../helpers/mariadb-server.js';
import { useCleanups, useServer } from '../helpers/lifecycle.js';

const server = useServer(hasMariadb, () => MariadbServer.start());
const cleanup = useCleanups();
const TABLE = 'nest_cluster_lease';

function storeOn(pool: MysqlPoolLike, name: string): MysqlLeaseStore {
  const store = new MysqlLeaseStore({ pool, owned: true, table: TABLE, name });
  cleanup(() => store.close());
  return store;
}

describe.skipIf(!hasMariadb)('MySQL lease store (MariaDB)', () => {
  // Found by the chaos run (mysql mode, seed 1632, cycle 55): an acquisition is a read, a claim
  // and a read. One left behind by its deadline under packet loss finished a second later, after
  // the same node's next acquisition had taken a newer token; its closing read showed that newer
  // lease under the node's name, and the store reported it as the one this call took. The engine,
  // seeing a won lease whose reply came too late to act on, gave it back: it released the lease it
  // was acting on, and another node took over while it still acted.
  it('an acquisition reports only the lease its own claim took, not a newer one of the same node that its closing read finds', async () => {
    const name = 'interleaved';
    const pool = mysql.createPool({ uri: server().uri, connectionLimit: 2 });
    const later = storeOn(mysql.createPool({ uri: server().uri, connectionLimit: 1 }), name);
    let claims = 0;
    // Right after this store's claim, its lease ends and the same node acquires again (token + 1).
    const interleaving: MysqlPoolLike = {
      query: async (sql, values) => {
        const result = await pool.query(sql, values);
        if (/^UPDATE .* SET holder = \?, token = GREATEST/s.test(sql) && claims++ === 0) {
          await server().query(`UPDATE nest_cluster.${TABLE} SET expires_at = UTC_TIMESTAMP(6) WHERE name = ?`, [name]);
          const next = await later.acquire({ node: 'a', periodMs: 5000, highestToken: 0 });
          expect(next).toMatchObject({ acquired: true, holder: { node: 'a', token: 7 } });
        }
        return result;
      },
      end: () => pool.end(),
    };
    const store = storeOn(interleaving, name);
    await store.read(); // makes the table
    await server().query(`INSERT INTO nest_cluster.${TABLE} (name, holder, token, expires_at) VALUES (?, NULL, 5, UTC_TIMESTAMP(6))`, [name]);

    const reply = await store.acquire({ node: 'a', periodMs: 5000, highestToken: 5 });

    expect(claims).toBe(1); // this call's claim took token 6; token 7 is the later acquisition's
    expect(reply.acquired).toBe(false);
    expect(reply.holder).toMatchObject({ node: 'a', token: 7 });
  });

  // The same run of the fixed build (seed 1662): another node's lease came and went between an
  // acquisition's read and its claim, so the claim took a token one higher than the read implied,
  // and was reported as not won, leaving a lease under this node's name that nobody acts on.
  it('an acquisition claims only the row it read: a lease taken and ended in between leaves the claim undone', async () => {
    const name = 'read-then-claim';
    const pool = mysql.createPool({ uri: server().uri, connectionLimit: 2 });
    const other = storeOn(mysql.createPool({ uri: server().uri, connectionLimit: 1 }), name);
    let reads = 0;
    // Right after this store's first read of the row, b takes the lease (token 6) and it ends.
    const interleaving: MysqlPoolLike = {
      query: async (sql, values) => {
        const result = await pool.query(sql, values);
        if (sql.startsWith('SELECT holder') && ++reads === 2) {
          expect(await other.acquire({ node: 'b', periodMs: 5000, highestToken: 0 })).toMatchObject({ acquired: true, holder: { token: 6 } });
          await server().query(`UPDATE nest_cluster.${TABLE} SET expires_at = UTC_TIMESTAMP(6) WHERE name = ?`, [name]);
        }
        return result;
      },
      end: () => pool.end(),
    };
    const store = storeOn(interleaving, name);
    await store.read(); // makes the table (the first read)
    await server().query(`INSERT INTO nest_cluster.${TABLE} (name, holder, token, expires_at) VALUES (?, NULL, 5, UTC_TIMESTAMP(6))`, [name]);

    const reply = await store.acquire({ node: 'a', periodMs: 5000, highestToken: 5 });

    const [row] = (await server().query(`SELECT holder, token FROM nest_cluster.${TABLE} WHERE name = ?`, [name])) as { holder: string; token: number }[];
    expect(reply.acquired).toBe(row!.holder === 'a'); // never a lease under this name that the reply disowns
    expect(row).toEqual({ holder: 'b', token: 6 });
  });
});
