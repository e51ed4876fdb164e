import { createHash } from 'node:crypto';

/**
 * The statements of the PostgreSQL lease (DESIGN §5). Each is one statement that reads time only
 * from the database server (`clock_timestamp()`), so no application clock decides who holds the
 * lease; none uses a session (no advisory lock, no prepared name, no SET), so each runs through
 * PgBouncer in transaction mode.
 *
 * One row per lease name, never deleted by the module:
 *   holder      the node holding it, NULL when free or quarantined
 *   token       the fencing epoch: only grows (see ACQUIRE)
 *   expires_at  end of the lease on the database clock, NULL only if edited by hand
 */
export interface PostgresStatements {
  readonly createTable: string;
  readonly acquire: string;
  readonly renew: string;
  readonly release: string;
  readonly read: string;
  readonly quarantine: string;
  readonly notify: string;
  /** The NOTIFY channel of this lease (an identifier of at most 63 bytes). */
  readonly channel: string;
}

/** A PostgreSQL identifier we accept for schema and table: no quoting games, at most 63 bytes. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const REMAINING_MS = `CASE WHEN expires_at IS NULL THEN NULL
  WHEN isfinite(expires_at) THEN (EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000)::float8
  ELSE 'Infinity'::float8 END`;
const PERIOD = `($4::float8 * interval '1 millisecond')`;

/**
 * ACQUIRE ($1 name, $2 node, $3 highest token the node has seen, $4 period ms, $5 the bound a
 * stored token must stay under). One statement:
 * - no row (a new table, or the row deleted by hand): insert a quarantine row (no holder, the
 *   caller's highest token, expiring after one period), because a leader may still act on the lost
 *   row; nobody acquires before it would have run out. Tokens continue above the highest any node
 *   has seen: that is how the epoch survives the row being deleted.
 * - a row whose lease ran out on the database clock and whose token is sane: take it with token
 *   `GREATEST(stored, seen) + 1`, so tokens only grow even if someone lowered the stored one.
 * - otherwise: change nothing and return the row as it is (with its version, for a quarantine).
 */
function acquire(table: string): string {
  return `WITH claim AS (
  INSERT INTO ${table} AS t (name, holder, token, expires_at)
  VALUES ($1, NULL, $3::bigint, clock_timestamp() + ${PERIOD})
  ON CONFLICT (name) DO UPDATE SET holder = $2, token = GREATEST(t.token, $3::bigint) + 1,
    expires_at = clock_timestamp() + ${PERIOD}
  WHERE t.expires_at <= clock_timestamp() AND t.token >= 0 AND t.token < $5::bigint
  RETURNING t.holder, t.token, t.expires_at
)
SELECT holder, token::text AS token, ${REMAINING_MS} AS ms, true AS claimed, NULL AS version FROM claim
UNION ALL
SELECT holder, token::text, ${REMAINING_MS}, false, xmin::text FROM ${table}
WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM claim)`;
}

export function postgresStatements(schema: string, tableName: string, leaseName: string): PostgresStatements {
  const table = `"${schema}"."${tableName}"`;
  const channel = `nest_cluster_${createHash('sha1').update(`${schema}.${tableName}/${leaseName}`).digest('hex').slice(0, 24)}`;
  return {
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
  name text PRIMARY KEY,
  holder text,
  token bigint NOT NULL,
  expires_at timestamptz
)`,
    acquire: acquire(table),
    // $1 name, $2 node, $3 token, $4 period ms. Only while the lease is ours and has not run out.
    renew: `UPDATE ${table} SET expires_at = clock_timestamp() + ${PERIOD}
WHERE name = $1 AND holder = $2 AND token = $3::bigint AND expires_at > clock_timestamp()`,
    // $1 name, $2 node, $3 token. The row and its token stay: the epoch is never lost on release.
    release: `UPDATE ${table} SET holder = NULL, expires_at = clock_timestamp()
WHERE name = $1 AND holder = $2 AND token = $3::bigint AND expires_at > clock_timestamp()`,
    read: `SELECT holder, token::text AS token, ${REMAINING_MS} AS ms FROM ${table} WHERE name = $1`,
    // $1 name, $2 the row version read, $3 the token to continue from, $4 period ms: replaces
    // exactly the invalid row that was read, never a row someone wrote since.
    quarantine: `UPDATE ${table} SET holder = NULL, token = $3::bigint, expires_at = clock_timestamp() + ${PERIOD}
WHERE name = $1 AND xmin::text = $2`,
    notify: 'SELECT pg_notify($1, $2)',
    channel,
  };
}
