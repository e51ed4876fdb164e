import { ClusterConfigError } from '../core/errors.js';
import type { LeaseStore } from '../core/election/lease/lease-store.js';
import type { PgPoolLike } from '../core/election/lease/stores/postgres/pg-types.js';
import { PostgresLeaseStore } from '../core/election/lease/stores/postgres/postgres-lease-store.js';
import type { LeaseSettings, PostgresSettings } from '../core/settings.js';

type PoolConstructor = new (config: Record<string, unknown>) => PgPoolLike;

/** pg is an optional peer: loaded only when postgres mode has to create a pool. */
async function loadPool(): Promise<PoolConstructor> {
  try {
    const module = (await import('pg')) as unknown as { default?: { Pool: PoolConstructor }; Pool?: PoolConstructor };
    return (module.Pool ?? module.default!.Pool)!;
  } catch (error) {
    throw new ClusterConfigError(
      `postgres mode needs the pg package to create a pool from postgres.connectionString; install it (npm install pg). (${String(error)})`,
    );
  }
}

/**
 * A pg.Pool behind what the application registered under `postgres.inject`: a pg.Pool itself, or
 * a TypeORM DataSource on the postgres driver (its pool is `driver.master`).
 */
export function poolOfProvider(provider: unknown): PgPoolLike | undefined {
  const p = provider as { query?: unknown; connect?: unknown; driver?: { master?: unknown } } | null;
  if (typeof p !== 'object' || p === null) return undefined;
  if (typeof p.query === 'function' && typeof p.connect === 'function') return p as PgPoolLike;
  const master = p.driver?.master as { query?: unknown; connect?: unknown } | undefined;
  return master && typeof master.query === 'function' && typeof master.connect === 'function' ? (master as PgPoolLike) : undefined;
}

/**
 * Opens the PostgreSQL lease store over `postgres.pool` or the injected pool as given (never ended
 * by us), or a pool made from `postgres.connectionString`, which the store owns and ends.
 */
export async function openPostgresLeaseStore(
  postgres: PostgresSettings,
  lease: LeaseSettings,
  injected: (() => PgPoolLike) | undefined,
  onError: (kind: string, error: unknown) => void,
): Promise<LeaseStore> {
  const given = postgres.pool ?? injected?.();
  const common = { schema: postgres.schema, table: postgres.table, name: lease.name, listen: postgres.listen, relistenMs: lease.syncLeaderInterval, onError };
  if (given) return new PostgresLeaseStore({ ...common, pool: given, owned: false });
  const Pool = await loadPool();
  // A stalled database must not hold a connection attempt longer than one lease.
  const pool = new Pool({ connectionString: postgres.connectionString, max: 4, connectionTimeoutMillis: lease.electionPeriod, keepAlive: true });
  return new PostgresLeaseStore({ ...common, pool, owned: true });
}
