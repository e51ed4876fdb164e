import type { AcquireReply, HeldLease, LeaseClaim, LeaseReading, LeaseStore } from '../../lease-store.js';
import { invalidPart, readingOf, storedHolderOf, tokenBound, type LeaseRow } from '../sql-rows.js';
import { mysqlStatements, type MysqlStatements } from './mysql-sql.js';
import type { MysqlPoolLike, MysqlResultHeader } from './mysql-types.js';

export interface MysqlStoreOptions {
  readonly pool: MysqlPoolLike;
  /** The pool was made by the module from a URI: the store ends it on close. */
  readonly owned: boolean;
  readonly table: string;
  readonly name: string;
}

type Row = LeaseRow & { readonly expires: unknown };

/** The row's token as a number, if it is a safe integer (the claim's own bounds check the rest). */
function storedTokenOf(row: Row): number | undefined {
  const token = typeof row.token === 'string' && /^\d{1,15}$/.test(row.token) ? Number(row.token) : row.token;
  return typeof token === 'number' && Number.isSafeInteger(token) ? token : undefined;
}

/**
 * The lease as one row of a MySQL 8 / MariaDB 10.11 table (DESIGN §5, issue #13), written only by
 * the single statements of mysql-sql.ts; created on first use. MySQL has no notifications, so
 * followers learn of a release by polling every min(electionInterval, syncLeaderInterval).
 */
export class MysqlLeaseStore implements LeaseStore {
  readonly leaseName: string;
  private readonly sql: MysqlStatements;
  private tableReady: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: MysqlStoreOptions) {
    this.sql = mysqlStatements(options.table);
    this.leaseName = `${options.table}[${options.name}]`;
  }

  async acquire(claim: LeaseClaim): Promise<AcquireReply> {
    await this.ensureTable();
    const { name } = this.options;
    const periodUs = Math.round(claim.periodMs * 1000);
    let row = await this.row();
    if (!row) {
      if ((await this.change(this.sql.insertQuarantine, [name, claim.highestToken, periodUs])) === 1) {
        return { acquired: false, holder: undefined, remainingMs: claim.periodMs, quarantined: true };
      }
      row = await this.row();
      if (!row) return { acquired: false, ...readingOf(undefined) };
    }
    const bound = tokenBound(claim.highestToken);
    const read = storedTokenOf(row);
    if (row.ms !== null && Number(row.ms) <= 0 && read !== undefined) {
      // The claim takes the row only if its token is still the one just read, so the token it
      // takes is known: GREATEST(read, seen) + 1.
      const claimed = Math.max(read, claim.highestToken) + 1;
      const taken = await this.change(this.sql.claim, [claim.node, claim.highestToken, periodUs, name, bound, read]);
      row = await this.row();
      // The closing read may show a later state, the same node's next lease among them when this
      // call outlived its deadline: only the token this claim took is this call's lease.
      if (taken === 1) return { acquired: row?.holder === claim.node && storedHolderOf(row)?.token === claimed, ...readingOf(row) };
      if (!row) return { acquired: false, ...readingOf(undefined) };
    }
    const bad = invalidPart(row, this.leaseName, claim.highestToken, claim.periodMs);
    if (!bad) return { acquired: false, ...readingOf(row) };
    await this.change(this.sql.quarantine, [claim.highestToken, periodUs, name, row.holder, row.token, row.expires]);
    return { acquired: false, holder: undefined, remainingMs: claim.periodMs, quarantined: true, replaced: [bad] };
  }

  async renew(lease: HeldLease, periodMs: number): Promise<boolean> {
    return (await this.change(this.sql.renew, [Math.round(periodMs * 1000), this.options.name, lease.node, lease.token])) === 1;
  }

  async release(lease: HeldLease): Promise<boolean> {
    return (await this.change(this.sql.release, [this.options.name, lease.node, lease.token])) === 1;
  }

  async read(): Promise<LeaseReading> {
    await this.ensureTable();
    return readingOf(await this.row());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.options.owned) await this.options.pool.end();
  }

  private async row(): Promise<Row | undefined> {
    const [rows] = await this.options.pool.query(this.sql.read, [this.options.name]);
    return Array.isArray(rows) ? (rows[0] as Row | undefined) : undefined;
  }

  private async change(sql: string, values: unknown[]): Promise<number> {
    const [header] = await this.options.pool.query(sql, values);
    return (header as MysqlResultHeader).affectedRows;
  }

  /** CREATE TABLE IF NOT EXISTS once; a failure is retried by the next operation. */
  private ensureTable(): Promise<void> {
    this.tableReady ??= this.options.pool.query(this.sql.createTable).then(
      () => undefined,
      (error: unknown) => {
        this.tableReady = undefined;
        throw error;
      },
    );
    return this.tableReady;
  }
}
