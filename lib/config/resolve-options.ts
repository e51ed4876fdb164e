import { Logger } from '@nestjs/common';
import { ClusterConfigError } from '../core/errors.js';
import { silentLogger, type ClusterLogger } from '../core/logger.js';
import type { NodeConfig } from '../core/node.js';
import type { ClusterMode, ClusterSettings, RedisClientSettings, RedisLeaseSettings } from '../core/settings.js';
import type { ClusterModuleOptions, ClusterNodeOptions } from './cluster-options.js';
import { DEFAULTS } from './defaults.js';
import { currentHost, identifySelf, type HostIdentity } from './node-identity.js';

const MODES: readonly ClusterMode[] = ['cluster', 'single', 'redis'];
const KNOWN_OPTIONS = new Set<string>([
  'mode', 'enable', 'timeout', 'electionTimeoutMs', 'heartbeatIntervalMs', 'leaseMs',
  'clockDriftBound', 'eventLoopMarginMs', 'nodes', 'nodeName', 'secret', 'tls', 'insecure',
  'dataDir', 'redis', 'redisDiscovery', 'logger', 'maxFrameBytes', 'handshakeTimeoutMs',
  'shutdownTimeoutMs',
]);
const MAX_TIMER_MS = 2 ** 31 - 1;

function fail(field: string, message: string): never {
  throw new ClusterConfigError(`Invalid cluster option \`${field}\`: ${message}`);
}

function bounded(value: unknown, field: string, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `expected ${unit} between ${min} and ${max}, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function positiveMs(value: unknown, field: string, fallback: number, min = 1): number {
  return bounded(value, field, fallback, min, MAX_TIMER_MS, 'milliseconds');
}

function parseEnable(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  fail('enable', `expected true, false, 'true' or 'false', got ${JSON.stringify(value)}.`);
}

function parseNodes(value: unknown, mode: ClusterMode): ClusterNodeOptions[] {
  if (value === undefined) {
    if (mode === 'cluster') fail('nodes', 'cluster mode needs the list of nodes: [{ name, ip, port }, ...].');
    return [];
  }
  if (!Array.isArray(value)) fail('nodes', 'expected an array of { name, ip, port }.');
  if (mode === 'cluster' && value.length === 0) fail('nodes', 'cluster mode needs at least one node.');
  const seenNames = new Set<string>();
  const seenAddresses = new Set<string>();
  return value.map((node: unknown, i): ClusterNodeOptions => {
    const at = `nodes[${i}]`;
    if (typeof node !== 'object' || node === null) fail(at, 'expected { name, ip, port }.');
    const { name, ip, port, local } = node as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name`, 'expected a non-empty string.');
    if (seenNames.has(name)) fail(`${at}.name`, `"${name}" is used twice; node names must be unique.`);
    seenNames.add(name);
    if (typeof ip !== 'string' || ip.trim() === '') fail(`${at}.ip`, `expected an IP address or host name for "${name}".`);
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      fail(`${at}.port`, `${JSON.stringify(port)} is out of range for "${name}"; use 1-65535.`);
    }
    const address = `${ip}:${port}`;
    if (seenAddresses.has(address)) fail(`${at}`, `"${name}" has the same address ${address} as another node.`);
    seenAddresses.add(address);
    if (local !== undefined && typeof local !== 'boolean') fail(`${at}.local`, 'expected a boolean.');
    return { name, ip, port: port as number, local: local as boolean | undefined };
  });
}

function parseLogger(value: unknown): ClusterLogger {
  if (value === undefined) return new Logger('Cluster');
  if (value === false) return silentLogger;
  const logger = value as Record<string, unknown>;
  if (typeof logger !== 'object' || logger === null || ['log', 'warn', 'error'].some((m) => typeof logger[m] !== 'function')) {
    fail('logger', 'expected false or a Nest LoggerService (log, warn and error methods).');
  }
  return value as ClusterLogger;
}

const REDIS_DISCOVERY_OPTIONS = new Set(['inject', 'dataPath', 'electionInterval', 'electionPeriod', 'syncLeaderInterval']);
const REDIS_OPTIONS = new Set(['client', 'options', 'url']);

function knownKeys(given: object, known: Set<string>, field: string): void {
  for (const key of Object.keys(given)) {
    if (!known.has(key)) fail(`${field}.${key}`, `unknown option; known options are ${[...known].join(', ')}.`);
  }
}

function parseRedisDiscovery(
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
  const d = DEFAULTS.redisDiscovery;
  const dataPath = given.dataPath ?? d.dataPath;
  if (typeof dataPath !== 'string' || dataPath === '') fail('redisDiscovery.dataPath', 'expected a non-empty key prefix.');
  if (/[{}]/.test(dataPath)) {
    fail('redisDiscovery.dataPath', `"${dataPath}" contains a brace; keys are named {dataPath}:leader so that Redis Cluster keeps them in one slot, and braces inside would break that.`);
  }
  const electionInterval = positiveMs(given.electionInterval, 'redisDiscovery.electionInterval', d.electionInterval);
  const electionPeriod = positiveMs(given.electionPeriod, 'redisDiscovery.electionPeriod', d.electionPeriod);
  const syncLeaderInterval = positiveMs(given.syncLeaderInterval, 'redisDiscovery.syncLeaderInterval', d.syncLeaderInterval);
  if (electionPeriod <= electionInterval) {
    fail(
      'redisDiscovery.electionPeriod',
      `the lease (${electionPeriod} ms) must be longer than the renewal interval electionInterval (${electionInterval} ms), or the lease lapses between renewals.`,
    );
  }
  const actingMs = electionPeriod * (1 - margins.clockDriftBound) - margins.eventLoopMarginMs;
  if (mode === 'redis' && actingMs <= electionInterval) {
    fail(
      'redisDiscovery.electionPeriod',
      `after the clock-drift and event-loop margins a leader may act for ${Math.floor(actingMs)} ms of each ${electionPeriod} ms lease, which does not outlast one renewal interval (${electionInterval} ms); make electionPeriod more than ${Math.ceil((electionInterval + margins.eventLoopMarginMs) / (1 - margins.clockDriftBound))} ms or shorten electionInterval.`,
    );
  }
  return { dataPath, electionInterval, electionPeriod, syncLeaderInterval };
}

function looksLikeIoredis(client: unknown): boolean {
  const c = client as Record<string, unknown> | null;
  return typeof c === 'object' && c !== null && ['evalsha', 'eval', 'publish', 'duplicate', 'disconnect'].every((m) => typeof c[m] === 'function');
}

function parseRedis(value: unknown, mode: ClusterMode, inject: unknown): RedisClientSettings | undefined {
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

function parseTiming(options: ClusterModuleOptions) {
  let electionTimeoutMs: number;
  if (options.electionTimeoutMs !== undefined) {
    electionTimeoutMs = positiveMs(options.electionTimeoutMs, 'electionTimeoutMs', 0, 10);
  } else {
    const seconds = options.timeout ?? DEFAULTS.timeoutSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0.01 || seconds * 1000 > MAX_TIMER_MS) {
      fail('timeout', `expected seconds (at least 0.01), got ${JSON.stringify(options.timeout)}.`);
    }
    electionTimeoutMs = seconds * 1000;
  }
  const heartbeatIntervalMs = positiveMs(
    options.heartbeatIntervalMs,
    'heartbeatIntervalMs',
    electionTimeoutMs * DEFAULTS.heartbeatFraction,
  );
  if (heartbeatIntervalMs * 2 > electionTimeoutMs) {
    fail('heartbeatIntervalMs', `${heartbeatIntervalMs} ms is too long for an election timeout of ${electionTimeoutMs} ms; keep it at most half of it (default a tenth).`);
  }
  const leaseMs = positiveMs(options.leaseMs, 'leaseMs', electionTimeoutMs * DEFAULTS.leaseFraction);
  if (leaseMs > electionTimeoutMs) {
    fail('leaseMs', `the lease (${leaseMs} ms) must not exceed the election timeout (${electionTimeoutMs} ms), or two leaders could act at once.`);
  }
  const clockDriftBound = options.clockDriftBound ?? DEFAULTS.clockDriftBound;
  if (typeof clockDriftBound !== 'number' || !(clockDriftBound >= 0 && clockDriftBound < 0.5)) {
    fail('clockDriftBound', `expected a fraction in [0, 0.5), got ${JSON.stringify(options.clockDriftBound)}.`);
  }
  const eventLoopMarginMs =
    options.eventLoopMarginMs ??
    Math.max(DEFAULTS.eventLoopMarginMinMs, electionTimeoutMs * DEFAULTS.eventLoopMarginFraction);
  if (typeof eventLoopMarginMs !== 'number' || !(eventLoopMarginMs >= 0)) {
    fail('eventLoopMarginMs', `expected milliseconds >= 0, got ${JSON.stringify(options.eventLoopMarginMs)}.`);
  }
  if (leaseMs * (1 - clockDriftBound) - eventLoopMarginMs <= heartbeatIntervalMs) {
    fail('leaseMs', `after the drift and event-loop margins the lease (${leaseMs} ms) would not outlast one heartbeat interval (${heartbeatIntervalMs} ms); lengthen it or shorten the heartbeat.`);
  }
  return { electionTimeoutMs, heartbeatIntervalMs, leaseMs, clockDriftBound, eventLoopMarginMs };
}

function selfNode(nodes: ClusterNodeOptions[], options: ClusterModuleOptions, host: HostIdentity): NodeConfig {
  if (options.nodeName !== undefined && (typeof options.nodeName !== 'string' || options.nodeName === '')) {
    fail('nodeName', 'expected a non-empty string.');
  }
  if (nodes.length === 0) {
    // Single (and address-less redis) mode: a cluster of one needs no list.
    const name = options.nodeName ?? host.envNodeName ?? host.hostname;
    return { name, ip: '127.0.0.1', port: 0 };
  }
  const self = identifySelf(nodes, options.nodeName, host);
  return { name: self.name, ip: self.ip, port: self.port };
}

/**
 * Validates options and fills in every default. Any rejected value throws a ClusterConfigError
 * whose message names the field and says what to do.
 */
export function resolveClusterOptions(
  options: ClusterModuleOptions = {},
  host: HostIdentity = currentHost(),
): ClusterSettings {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object.');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(key, `unknown option; known options are ${[...KNOWN_OPTIONS].join(', ')}.`);
  }
  const mode = options.mode ?? DEFAULTS.mode;
  if (!MODES.includes(mode)) fail('mode', `expected one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}.`);
  const enabled = parseEnable(options.enable);
  const nodes = parseNodes(options.nodes, mode);
  const self = selfNode(nodes, options, host);
  const secret = options.secret ?? (process.env.CLUSTER_SECRET || undefined);
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 8)) {
    fail('secret', 'expected a string of at least 8 characters (or env CLUSTER_SECRET).');
  }
  if (options.insecure !== undefined && typeof options.insecure !== 'boolean') fail('insecure', 'expected a boolean.');
  if (options.dataDir !== undefined && (typeof options.dataDir !== 'string' || options.dataDir === '')) {
    fail('dataDir', 'expected a directory path.');
  }
  if (options.tls !== undefined && (typeof options.tls !== 'object' || options.tls === null)) {
    fail('tls', 'expected Node tls options: { key, cert, ca }.');
  }
  const timing = parseTiming(options);
  const redis = parseRedis(options.redis, mode, options.redisDiscovery?.inject);
  const allNodes: NodeConfig[] =
    nodes.length > 0 ? nodes.map(({ name, ip, port }) => ({ name, ip, port })) : [self];
  return {
    mode,
    enabled,
    self,
    nodes: mode === 'single' ? [self] : allNodes,
    ...timing,
    secret,
    tls: options.tls,
    insecure: options.insecure ?? false,
    dataDir: options.dataDir,
    maxFrameBytes: bounded(options.maxFrameBytes, 'maxFrameBytes', DEFAULTS.maxFrameBytes, 1024, 2 ** 31 - 1, 'bytes'),
    handshakeTimeoutMs: positiveMs(options.handshakeTimeoutMs, 'handshakeTimeoutMs', DEFAULTS.handshakeTimeoutMs),
    shutdownTimeoutMs: positiveMs(options.shutdownTimeoutMs, 'shutdownTimeoutMs', DEFAULTS.shutdownTimeoutMs),
    redisDiscovery: parseRedisDiscovery(options.redisDiscovery, mode, timing),
    redis: redis && { client: redis.client, options: redis.options, url: redis.url },
    logger: parseLogger(options.logger),
  };
}
