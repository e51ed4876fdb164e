import type { Redis as RedisType, RedisOptions } from 'ioredis';
import { ClusterConfigError } from '../core/errors.js';
import type { LeaseStore } from '../core/election/lease/lease-store.js';
import { DISCONNECT_TIMEOUT_MS, IoredisCommands, type RedisClient } from '../core/election/lease/stores/redis/ioredis-commands.js';
import { RedisLeaseStore } from '../core/election/lease/stores/redis/redis-lease-store.js';
import type { ClusterRedisClient } from '../core/redis-client.js';
import type { RedisClientSettings } from '../core/settings.js';

type RedisConstructor = new (...args: [string, RedisOptions] | [RedisOptions]) => RedisType;

/** ioredis is an optional peer: loaded only when redis mode has to create a client. */
async function loadRedis(): Promise<RedisConstructor> {
  try {
    const module = await import('ioredis');
    return module.Redis as unknown as RedisConstructor;
  } catch (error) {
    throw new ClusterConfigError(
      `redis mode needs the ioredis package to create a client from redis.options or redis.url; install it (npm install ioredis). (${String(error)})`,
    );
  }
}

/**
 * Opens the lease store over the configured client: `redis.client` or the injected provider as
 * given (never closed by us), or a client made from `redis.options` / `redis.url`, which the store
 * owns and closes. Nothing connects before this runs, so a client made here connects at startUp().
 */
export async function openRedisLeaseStore(
  dataPath: string,
  redis: RedisClientSettings | undefined,
  injected: (() => ClusterRedisClient) | undefined,
  onError: (kind: string, error: unknown) => void,
): Promise<LeaseStore> {
  // The options check accepted the client by its shape (an ioredis Redis or Cluster); the store
  // uses it with ioredis's types.
  const given = (redis?.client ?? injected?.()) as RedisClient | undefined;
  if (given) return new RedisLeaseStore(new IoredisCommands(given, false, onError), dataPath);
  const Redis = await loadRedis();
  const options = { disconnectTimeout: DISCONNECT_TIMEOUT_MS, ...redis?.options };
  const client = redis?.url !== undefined ? new Redis(redis.url, options) : new Redis(options);
  return new RedisLeaseStore(new IoredisCommands(client, true, onError), dataPath);
}
