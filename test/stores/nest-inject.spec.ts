import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterModule, ClusterService, MasterInterval, type ClusterModuleOptions, type LeaderContext } from 'nest-cluster';
import { FAST } from '../helpers/lease-nodes.js';
import { hasMariadb, MariadbServer } from '../helpers/mariadb-server.js';
import { hasPostgres, PostgresServer } from '../helpers/postgres-server.js';
import { waitFor } from '../helpers/wait-for.js';

let postgres: PostgresServer | undefined;
let mariadb: MariadbServer | undefined;
beforeAll(async () => {
  [postgres, mariadb] = await Promise.all([hasPostgres ? PostgresServer.start() : undefined, hasMariadb ? MariadbServer.start() : undefined]);
}, 120_000);
afterAll(async () => {
  await Promise.all([postgres?.dispose(), mariadb?.dispose()]);
});

@Injectable()
class LeaderJob {
  tokens: number[] = [];

  @MasterInterval({ ms: 20 })
  tick({ fencingToken }: LeaderContext) {
    this.tokens.push(fencingToken);
  }
}

/** One Nest application whose cluster takes its pool from the provider `DB`, which it leaves open. */
async function runApp(options: ClusterModuleOptions, provider: unknown) {
  const moduleRef = await Test.createTestingModule({
    imports: [ClusterModule.forRoot({ nodeName: 'nest', logger: false, ...options, lease: { name: `nest-${String(options.mode)}`, ...FAST } })],
    providers: [{ provide: 'DB', useValue: provider }, LeaderJob],
  }).compile();
  const app = await moduleRef.init();
  const cluster = app.get(ClusterService);
  await waitFor(() => cluster.isLeader() && app.get(LeaderJob).tokens.length > 0, { what: 'the leader job to run' });
  expect(app.get(LeaderJob).tokens.every((t) => t === cluster.getMyTerm())).toBe(true);
  await app.close();
}

describe('SQL modes in Nest: the pool comes from an application provider', () => {
  it.skipIf(!hasPostgres)('postgres.inject takes a pg.Pool or a TypeORM DataSource on the postgres driver, and leaves it open', async () => {
    const pool = new pg.Pool({ connectionString: postgres!.url, max: 3 });
    await runApp({ mode: 'postgres', postgres: { inject: 'DB' } }, pool);
    await runApp({ mode: 'postgres', postgres: { inject: 'DB' } }, { driver: { master: pool } });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it.skipIf(!hasMariadb)('mysql.inject takes a mysql2 pool or a TypeORM DataSource on the mysql driver, and leaves it open', async () => {
    const pool = mysql.createPool({ uri: mariadb!.uri, connectionLimit: 2 });
    await runApp({ mode: 'mysql', mysql: { inject: 'DB' } }, pool);
    await runApp({ mode: 'mysql', mysql: { inject: 'DB' } }, { driver: { pool: pool.pool } });
    const [rows] = await pool.query('SELECT 1 AS one');
    expect(rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('a provider that is no pool fails the start with a sentence naming the option', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'postgres', nodeName: 'nest', logger: false, postgres: { inject: 'DB' } })],
      providers: [{ provide: 'DB', useValue: { hello: 'world' } }],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(/`postgres\.inject`: provider DB is not a pg\.Pool/);
    await moduleRef.close().catch(() => undefined);
  });
});
