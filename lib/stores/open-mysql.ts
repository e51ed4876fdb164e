import { ClusterConfigError } from '../core/errors.js';
import type { LeaseStore } from '../core/election/lease/lease-store.js';
import { MysqlLeaseStore } from '../core/election/lease/stores/mysql/mysql-lease-store.js';
import type { MysqlPoolLike } from '../core/election/lease/stores/mysql/mysql-types.js';
import type { LeaseSettings, MysqlSettings } from '../core/settings.js';

type CreatePool = (config: Record<string, unknown>) => MysqlPoolLike;

/** mysql2 is an optional peer: loaded only when mysql mode has to create a pool. */
async function loadCreatePool(): Promise<CreatePool> {
  try {
    const module = (await import('mysql2/promise')) as unknown as { createPool?: CreatePool; default?: { createPool: CreatePool } };
    return (module.createPool ?? module.default!.createPool)!;
  } catch (error) {
    throw new ClusterConfigError(
      `mysql mode needs the mysql2 package to create a pool from mysql.uri; install it (npm install mysql2). (${String(error)})`,
    );
  }
}

/**
 * A mysql2 promise pool behind what the application registered under `mysql.inject`: a promise
 * pool, a callback pool (`.promise()`), or a TypeORM DataSource on the mysql driver (`driver.pool`).
 */
export function mysqlPoolOfProvider(provider: unknown): MysqlPoolLike | undefined {
  const p = provider as { query?: unknown; end?: unknown; promise?: () => unknown; driver?: { pool?: unknown } } | null;
  if (typeof p !== 'object' || p === null) return undefined;
  if (typeof p.promise === 'function') return p.promise() as MysqlPoolLike;
  if (p.driver?.pool !== undefined) return mysqlPoolOfProvider(p.driver.pool);
  return typeof p.query === 'function' && typeof p.end === 'function' ? (p as MysqlPoolLike) : undefined;
}

/**
 * Opens the MySQL lease store over `mysql.pool` or the injected pool as given (never ended by us),
 * or a pool made from `mysql.uri`, which the store owns and ends.
 */
export async function openMysqlLeaseStore(
  mysql: MysqlSettings,
  lease: LeaseSettings,
  injected: (() => MysqlPoolLike) | undefined,
  _onError: (kind: string, error: unknown) => void,
): Promise<LeaseStore> {
  const given = mysql.pool ?? injected?.();
  if (given) return new MysqlLeaseStore({ pool: given, owned: false, table: mysql.table, name: lease.name });
  const createPool = await loadCreatePool();
  // A stalled database must not hold a connection attempt longer than one lease.
  const pool = createPool({ uri: mysql.uri, connectionLimit: 4, connectTimeout: lease.electionPeriod, enableKeepAlive: true });
  return new MysqlLeaseStore({ pool, owned: true, table: mysql.table, name: lease.name });
}
