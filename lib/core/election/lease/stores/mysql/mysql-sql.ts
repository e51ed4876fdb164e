/**
 * The statements of the MySQL/MariaDB lease (DESIGN §5), the PostgreSQL design on MySQL's SQL.
 * Each is one statement that reads time only from the database server (`UTC_TIMESTAMP(6)`, which
 * no session time zone changes); none uses a session (no GET_LOCK, no variables, no prepared
 * statements: `query`, not `execute`). MySQL has no RETURNING, so an acquisition is a read, then
 * a conditional UPDATE whose affected-row count says whether it took the lease, then a read.
 *
 * One row per lease name, never deleted by the module:
 *   holder      the node holding it, NULL when free or quarantined
 *   token       the fencing epoch: only grows (`GREATEST(stored, seen) + 1`)
 *   expires_at  end of the lease on the database clock (UTC), NULL only if edited by hand
 */
export interface MysqlStatements {
  readonly createTable: string;
  readonly read: string;
  readonly insertQuarantine: string;
  readonly claim: string;
  readonly renew: string;
  readonly release: string;
  readonly quarantine: string;
}

const NOW = 'UTC_TIMESTAMP(6)';
const ROW = `holder, CAST(token AS CHAR) AS token, TIMESTAMPDIFF(MICROSECOND, ${NOW}, expires_at) / 1000 AS ms,
  CAST(expires_at AS CHAR) AS expires`;

export function mysqlStatements(tableName: string): MysqlStatements {
  const table = `\`${tableName}\``;
  return {
    createTable: `CREATE TABLE IF NOT EXISTS ${table} (
  name VARCHAR(190) NOT NULL PRIMARY KEY,
  holder VARCHAR(256) NULL,
  token BIGINT NOT NULL,
  expires_at DATETIME(6) NULL
) ENGINE=InnoDB`,
    // ? name
    read: `SELECT ${ROW} FROM ${table} WHERE name = ?`,
    // ? name, highest token seen, period µs. A missing row (new table, deleted by hand) becomes a
    // quarantine for one period, since a leader may still act on the lost one; tokens continue
    // above the highest the node has seen. affectedRows: 1 inserted, 0 the row exists.
    insertQuarantine: `INSERT INTO ${table} (name, holder, token, expires_at) VALUES (?, NULL, ?, ${NOW} + INTERVAL ? MICROSECOND)
ON DUPLICATE KEY UPDATE name = name`,
    // ? node, highest token seen, period µs, name, token bound, token as read. Only a lease that ran
    // out on the database clock, with a sane token, still the token the acquisition read (so the
    // token it takes is known: GREATEST(read, seen) + 1), is taken.
    claim: `UPDATE ${table} SET holder = ?, token = GREATEST(token, ?) + 1, expires_at = ${NOW} + INTERVAL ? MICROSECOND
WHERE name = ? AND expires_at <= ${NOW} AND token >= 0 AND token < ? AND token = ?`,
    // ? period µs, name, node, token. Only while the lease is ours and has not run out.
    renew: `UPDATE ${table} SET expires_at = ${NOW} + INTERVAL ? MICROSECOND
WHERE name = ? AND holder = ? AND token = ? AND expires_at > ${NOW}`,
    // ? name, node, token. The row and its token stay.
    release: `UPDATE ${table} SET holder = NULL, expires_at = ${NOW}
WHERE name = ? AND holder = ? AND token = ? AND expires_at > ${NOW}`,
    // ? token to continue from, period µs, name, then the row exactly as read (holder, token,
    // expires): replaces the invalid row that was read, never one written since.
    quarantine: `UPDATE ${table} SET holder = NULL, token = ?, expires_at = ${NOW} + INTERVAL ? MICROSECOND
WHERE name = ? AND holder <=> ? AND CAST(token AS CHAR) <=> ? AND CAST(expires_at AS CHAR) <=> ?`,
  };
}
