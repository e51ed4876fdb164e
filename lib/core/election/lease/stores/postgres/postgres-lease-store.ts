import type { AcquireReply, HeldLease, LeaseClaim, LeaseReading, LeaseStore } from '../../lease-store.js';
import { invalidPart, readingOf, storedHolderOf, tokenBound, type LeaseRow } from '../sql-rows.js';
import type { PgPoolLike } from './pg-types.js';
import { PostgresListener } from './postgres-listener.js';
import { postgresStatements, type PostgresStatements } from './postgres-sql.js';

export interface PostgresStoreOptions {
  readonly pool: PgPoolLike;
  /** The pool was made by the module from a connection string: the store ends it on close. */
  readonly owned: boolean;
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** LISTEN on a dedicated connection for notices (off behind PgBouncer in transaction mode). */
  readonly listen: boolean;
  /** How long to wait before listening again after the listening connection broke. */
  readonly relistenMs: number;
  readonly onError: (kind: string, error: unknown) => void;
}

/** Errors of a concurrent CREATE TABLE IF NOT EXISTS: another node made it at the same moment. */
const RACED_CREATE = new Set(['23505', '42P07']);

/**
 * The lease as one row of a PostgreSQL table (DESIGN §5, issue #13), written only by the single
 * statements of postgres-sql.ts. The table is created on first use, so a database that is down at
 * boot only delays the first election. Notices go by NOTIFY and arrive by LISTEN when `listen`;
 * followers poll every syncLeaderInterval either way.
 */
export class PostgresLeaseStore implements LeaseStore {
  readonly leaseName: string;
  readonly noticesName: string;
  private readonly sql: PostgresStatements;
  private tableReady: Promise<void> | undefined;
  private listener: PostgresListener | undefined;
  private closed = false;

  constructor(private readonly options: PostgresStoreOptions) {
    this.sql = postgresStatements(options.schema, options.table, options.name);
    this.leaseName = `${options.schema}.${options.table}[${options.name}]`;
    this.noticesName = `NOTIFY ${this.sql.channel}`;
    if (options.owned) options.pool.on('error', (error) => options.onError('idle connection', error));
  }

  async acquire(claim: LeaseClaim): Promise<AcquireReply> {
    await this.ensureTable();
    const { name } = this.options;
    const bound = tokenBound(claim.highestToken);
    const result = await this.options.pool.query(this.sql.acquire, [name, claim.node, claim.highestToken, claim.periodMs, bound]);
    const row = result.rows[0] as unknown as (LeaseRow & { claimed?: unknown; version?: unknown }) | undefined;
    if (row?.claimed === true) {
      const holder = storedHolderOf(row);
      // A claim without a holder is the quarantine row this statement inserted in place of a lost one.
      return { acquired: holder !== undefined, holder, remainingMs: Number(row.ms), quarantined: !holder };
    }
    const bad = row && invalidPart(row, this.leaseName, claim.highestToken, claim.periodMs);
    if (!row || !bad) return { acquired: false, ...readingOf(row) };
    await this.options.pool.query(this.sql.quarantine, [name, row.version, claim.highestToken, claim.periodMs]);
    return { acquired: false, holder: undefined, remainingMs: claim.periodMs, quarantined: true, replaced: [bad] };
  }

  async renew(lease: HeldLease, periodMs: number): Promise<boolean> {
    const result = await this.options.pool.query(this.sql.renew, [this.options.name, lease.node, lease.token, periodMs]);
    return result.rowCount === 1;
  }

  async release(lease: HeldLease): Promise<boolean> {
    const result = await this.options.pool.query(this.sql.release, [this.options.name, lease.node, lease.token]);
    return result.rowCount === 1;
  }

  async read(): Promise<LeaseReading> {
    await this.ensureTable();
    const result = await this.options.pool.query(this.sql.read, [this.options.name]);
    return readingOf(result.rows[0] as unknown as LeaseRow | undefined);
  }

  async announce(message: string): Promise<void> {
    await this.options.pool.query(this.sql.notify, [this.sql.channel, message]);
  }

  watch(onMessage: (message: string) => void): void {
    if (!this.options.listen || this.closed) return;
    const { pool, relistenMs, onError } = this.options;
    this.listener = new PostgresListener(pool, this.sql.channel, relistenMs, onMessage, onError);
    this.listener.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listener?.close();
    if (this.options.owned) await this.options.pool.end();
  }

  /** CREATE TABLE IF NOT EXISTS once; a failure is retried by the next operation. */
  private ensureTable(): Promise<void> {
    this.tableReady ??= this.options.pool
      .query(this.sql.createTable)
      .then(
        () => undefined,
        (error: unknown) => {
          if (RACED_CREATE.has((error as { code?: string }).code ?? '')) return;
          throw error;
        },
      )
      .catch((error: unknown) => {
        this.tableReady = undefined;
        throw error;
      });
    return this.tableReady;
  }
}
