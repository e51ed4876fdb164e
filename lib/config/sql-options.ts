import type { ClusterMode, MysqlSettings, PostgresSettings } from '../core/settings.js';
import { IDENTIFIER } from '../core/election/lease/stores/postgres/postgres-sql.js';
import { fail, knownKeys } from './option-checks.js';

const DEFAULT_TABLE = 'nest_cluster_lease';
const POSTGRES_OPTIONS = new Set(['pool', 'connectionString', 'inject', 'schema', 'table', 'listen']);
const MYSQL_OPTIONS = new Set(['pool', 'uri', 'inject', 'table']);

function identifier(value: unknown, field: string, fallback: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    fail(field, `expected an unquoted SQL identifier (a letter or _, then letters, digits or _, at most 63), got ${JSON.stringify(value)}.`);
  }
  return name;
}

function checkInjectToken(inject: unknown, field: string, what: string): void {
  if (inject !== undefined && !['string', 'symbol', 'function'].includes(typeof inject)) {
    fail(field, `expected a Nest injection token (a string, symbol or class) of ${what}.`);
  }
}

/** Exactly one source of connections: a pool, a URL for one the module makes, or a Nest token. */
function oneSource(given: Record<string, unknown>, group: string, urlKey: string, what: string): void {
  const sources = ['pool', urlKey, 'inject'].filter((k) => given[k] !== undefined);
  if (sources.length !== 1) {
    fail(group, `${group} mode needs exactly one of ${group}.pool (${what}), ${group}.${urlKey} or ${group}.inject${sources.length ? `; got ${sources.join(' and ')}` : ''}.`);
  }
}

/** `postgres`: checked fully in postgres mode, ignored otherwise. */
export function parsePostgres(value: unknown, mode: ClusterMode): PostgresSettings | undefined {
  if (mode !== 'postgres') return undefined;
  const given = (value ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null) fail('postgres', 'expected { pool }, { connectionString } or { inject }.');
  knownKeys(given, POSTGRES_OPTIONS, 'postgres');
  oneSource(given, 'postgres', 'connectionString', 'a pg.Pool');
  const { pool, connectionString, inject, listen } = given;
  const p = pool as Record<string, unknown> | undefined;
  if (p !== undefined && (typeof p !== 'object' || p === null || ['query', 'connect', 'end'].some((m) => typeof p[m] !== 'function'))) {
    fail('postgres.pool', 'expected a pg.Pool (query, connect and end).');
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(connectionString))) {
    fail('postgres.connectionString', 'expected a postgres:// or postgresql:// URL.');
  }
  checkInjectToken(inject, 'postgres.inject', 'a pg.Pool or TypeORM DataSource provider');
  if (listen !== undefined && typeof listen !== 'boolean') fail('postgres.listen', 'expected a boolean.');
  return {
    pool: pool as PostgresSettings['pool'],
    connectionString: connectionString as string | undefined,
    schema: identifier(given.schema, 'postgres.schema', 'public'),
    table: identifier(given.table, 'postgres.table', DEFAULT_TABLE),
    listen: listen ?? true,
  };
}

/** `mysql`: checked fully in mysql mode, ignored otherwise. */
export function parseMysql(value: unknown, mode: ClusterMode): MysqlSettings | undefined {
  if (mode !== 'mysql') return undefined;
  const given = (value ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null) fail('mysql', 'expected { pool }, { uri } or { inject }.');
  knownKeys(given, MYSQL_OPTIONS, 'mysql');
  oneSource(given, 'mysql', 'uri', 'a mysql2 promise pool');
  const { pool, uri, inject } = given;
  const p = pool as Record<string, unknown> | undefined;
  if (p !== undefined && (typeof p !== 'object' || p === null || ['query', 'end'].some((m) => typeof p[m] !== 'function'))) {
    fail('mysql.pool', "expected a mysql2 promise pool (createPool from 'mysql2/promise', or pool.promise()).");
  }
  if (uri !== undefined && (typeof uri !== 'string' || !/^(mysql|mariadb):\/\//.test(uri))) {
    fail('mysql.uri', 'expected a mysql:// URI.');
  }
  checkInjectToken(inject, 'mysql.inject', 'a mysql2 pool or TypeORM DataSource provider');
  return { pool: pool as MysqlSettings['pool'], uri: uri as string | undefined, table: identifier(given.table, 'mysql.table', DEFAULT_TABLE) };
}
