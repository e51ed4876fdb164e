import type { ClusterMode, RedisClientSettings, RedisLeaseSettings } from '../core/settings.js';
import { defaultOptions } from './defaults.js';
import { parseLeaseTimings } from './lease-options.js';
import { fail, knownKeys } from './option-checks.js';

const REDIS_DISCOVERY_OPTIONS = new Set(['inject', 'dataPath', 'electionInterval', 'electionPeriod', 'syncLeaderInterval']);
const REDIS_OPTIONS = new Set(['client', 'options', 'url']);

/** The seed's RedisDiscovery, checked against the lease margins (DESIGN §5). */
export function parseRedisDiscovery(
  value: unknown,
  mode: ClusterMode,
  margins: { clockDriftBound: number; eventLoopMarginMs: number },
): RedisLeaseSettings {
  const given = (value ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null) fail('redisDiscovery', 'expected an object.');
  knownKeys(given, REDIS_DISCOVERY_OPTIONS, 'redisDiscovery');
  const { inject } = given;
  if (inject !== undefined && !['string', 'symbol', 'function'].includes(typeof inject)) {
    fail('redisDiscovery.inject', 'expected a Nest injection token (a string, symbol or class) of an ioredis provider.');
  }
  const d = defaultOptions().redisDiscovery;
  const dataPath = given.dataPath ?? d.dataPath;
  if (typeof dataPath !== 'string' || dataPath === '') fail('redisDiscovery.dataPath', 'expected a non-empty key prefix.');
  if (/[{}]/.test(dataPath)) {
    fail('redisDiscovery.dataPath', `"${dataPath}" contains a brace; keys are named {dataPath}:leader so that Redis Cluster keeps them in one slot, and braces inside would break that.`);
  }
  return { dataPath, ...parseLeaseTimings(given, 'redisDiscovery', mode === 'redis', margins) };
}

function looksLikeIoredis(client: unknown): boolean {
  const c = client as Record<string, unknown> | null;
  return typeof c === 'object' && c !== null && ['evalsha', 'eval', 'publish', 'duplicate', 'disconnect'].every((m) => typeof c[m] === 'function');
}

/** Where redis mode gets its client: exactly one of client, options/url, or redisDiscovery.inject. */
export function parseRedis(value: unknown, mode: ClusterMode, inject: unknown): RedisClientSettings | undefined {
  if (value === undefined) {
    if (mode === 'redis' && inject === undefined) {
      fail('redis', 'redis mode needs a client: redis.client, redis.options, redis.url, or redisDiscovery.inject.');
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) fail('redis', 'expected { client }, { options } or { url }.');
  knownKeys(value, REDIS_OPTIONS, 'redis');
  const { client, options, url } = value as Record<string, unknown>;
  if (inject !== undefined) fail('redisDiscovery.inject', 'give either `redis` or `redisDiscovery.inject`, not both.');
  if (client !== undefined) {
    if (!looksLikeIoredis(client)) fail('redis.client', 'expected an ioredis Redis or Cluster client.');
    if (options !== undefined || url !== undefined) {
      fail('redis.client', 'give either a client or options/url for one we create, not both.');
    }
  } else if (options === undefined && url === undefined) {
    fail('redis', 'expected { client }, { options } or { url }.');
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    fail('redis.options', 'expected ioredis RedisOptions (host, port, password, sentinels, ...).');
  }
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\//.test(url))) {
    fail('redis.url', `expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}.`);
  }
  return value as RedisClientSettings;
}
