import type { InjectionToken } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { ClusterConfigError } from './core/errors.js';
import type { RedisClient } from './core/election/lease/stores/redis/ioredis-commands.js';
import type { MysqlPoolLike } from './core/election/lease/stores/mysql/mysql-types.js';
import type { PgPoolLike } from './core/election/lease/stores/postgres/pg-types.js';
import { mysqlPoolOfProvider } from './stores/open-mysql.js';
import { poolOfProvider } from './stores/open-postgres.js';

function tokenName(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}

/**
 * The seed's BeanName, for every store: what another provider of the application registered
 * under `token`, turned into the client the store needs by `accept` (undefined: not one).
 */
function injected<T>(moduleRef: ModuleRef, token: InjectionToken, field: string, what: string, accept: (provider: unknown) => T | undefined): T {
  let provider: unknown;
  try {
    provider = moduleRef.get(token, { strict: false });
  } catch (error) {
    throw new ClusterConfigError(
      `Invalid cluster option \`${field}\`: no provider ${tokenName(token)} was found in the application (${String(error)}); register ${what} under that token.`,
    );
  }
  const client = accept(provider);
  if (client === undefined) {
    throw new ClusterConfigError(`Invalid cluster option \`${field}\`: provider ${tokenName(token)} is not ${what}.`);
  }
  return client;
}

/** `redisDiscovery.inject`: an ioredis client some other provider of the application already made. */
export function resolveInjectedRedis(moduleRef: ModuleRef, token: InjectionToken): RedisClient {
  return injected(moduleRef, token, 'redisDiscovery.inject', 'an ioredis Redis or Cluster client', (client) => {
    const c = client as Record<string, unknown> | null;
    const ok = typeof c === 'object' && c !== null && typeof c.evalsha === 'function' && typeof c.duplicate === 'function';
    return ok ? (client as RedisClient) : undefined;
  });
}

/** `postgres.inject`: a pg.Pool, or a TypeORM DataSource on the postgres driver. */
export function resolveInjectedPostgres(moduleRef: ModuleRef, token: InjectionToken): PgPoolLike {
  return injected(moduleRef, token, 'postgres.inject', 'a pg.Pool or a TypeORM DataSource on the postgres driver', poolOfProvider);
}

/** `mysql.inject`: a mysql2 pool, or a TypeORM DataSource on the mysql driver. */
export function resolveInjectedMysql(moduleRef: ModuleRef, token: InjectionToken): MysqlPoolLike {
  return injected(moduleRef, token, 'mysql.inject', 'a mysql2 pool or a TypeORM DataSource on the mysql driver', mysqlPoolOfProvider);
}
