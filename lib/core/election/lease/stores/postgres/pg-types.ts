/**
 * The little of `pg` (node-postgres 8) the PostgreSQL store uses, spelled out so that nothing
 * public imports pg's types: pg is an optional peer.
 */
export interface PgQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

export interface PgNotification {
  readonly channel: string;
  readonly payload?: string;
}

export interface PgPoolClient {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  /** `true` destroys the connection instead of returning it to the pool. */
  release(destroy?: boolean | Error): void;
  on(event: 'notification', listener: (message: PgNotification) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** A `pg.Pool`. */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
