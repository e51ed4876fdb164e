/**
 * The little of `mysql2` (its promise API) the MySQL store uses, spelled out so that nothing
 * public imports mysql2's types: mysql2 is an optional peer.
 */
export interface MysqlResultHeader {
  readonly affectedRows: number;
}

/** A mysql2 promise pool (`mysql.createPool(...)` from 'mysql2/promise', or `pool.promise()`). */
export interface MysqlPoolLike {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  end(): Promise<void>;
}
