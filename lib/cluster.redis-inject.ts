import type { InjectionToken } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { ClusterConfigError } from './core/errors.js';
import type { RedisClient } from './core/election/lease/stores/redis/ioredis-commands.js';

function tokenName(token: InjectionToken): string {
  return typeof token === 'function' ? token.name : String(token);
}

/** The seed's BeanName: an ioredis client some other provider of the application already made. */
export function resolveInjectedRedis(moduleRef: ModuleRef, token: InjectionToken): RedisClient {
  let client: unknown;
  try {
    client = moduleRef.get(token, { strict: false });
  } catch (error) {
    throw new ClusterConfigError(
      `Invalid cluster option \`redisDiscovery.inject\`: no provider ${tokenName(token)} was found in the application (${String(error)}); register an ioredis client under that token.`,
    );
  }
  const c = client as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || typeof c.evalsha !== 'function' || typeof c.duplicate !== 'function') {
    throw new ClusterConfigError(
      `Invalid cluster option \`redisDiscovery.inject\`: provider ${tokenName(token)} is not an ioredis Redis or Cluster client.`,
    );
  }
  return client as RedisClient;
}
