import { isIP } from 'node:net';
import { silentLogger, stderrLogger, type ClusterLogger } from '../core/logger.js';
import type { NodeConfig } from '../core/node.js';
import type { ClusterMode, ClusterSettings } from '../core/settings.js';
import type { ClusterModuleOptions } from './cluster-options.js';
import { defaultOptions } from './defaults.js';
import { checkNameLength, parseNodes, type ParsedNodeOptions } from './nodes-option.js';
import { bounded, fail, positiveMs } from './option-checks.js';
import { parseKubernetes } from './kubernetes-options.js';
import { parseLease } from './lease-options.js';
import { parseRedis, parseRedisDiscovery } from './redis-options.js';
import { parseMysql, parsePostgres } from './sql-options.js';
import { parseTiming } from './timing-options.js';
import { currentHost, identifySelf, type HostIdentity } from './node-identity.js';

/** Shortest `secret` accepted. */
export const MIN_SECRET_LENGTH = 16;

const MODES: readonly ClusterMode[] = ['cluster', 'single', 'redis', 'lease', 'postgres', 'mysql', 'kubernetes'];
const KNOWN_OPTIONS = new Set<string>([
  'mode', 'enable', 'timeout', 'electionTimeoutMs', 'heartbeatIntervalMs', 'leaseMs',
  'clockDriftBound', 'eventLoopMarginMs', 'nodes', 'nodeName', 'secret', 'tls', 'insecure',
  'dataDir', 'redis', 'redisDiscovery', 'lease', 'postgres', 'mysql', 'kubernetes', 'logger', 'maxFrameBytes', 'handshakeTimeoutMs',
  'shutdownTimeoutMs',
]);
function parseEnable(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  fail('enable', `expected true, false, 'true' or 'false', got ${JSON.stringify(value)}.`);
}

/**
 * `nodes`, else env CLUSTER_NODES (cluster and redis modes; single mode is this process alone).
 * Either may be the string form or a list; see parseNodes.
 */
function nodesOption(value: unknown, mode: ClusterMode, host: HostIdentity): ParsedNodeOptions[] {
  const fromEnv = value === undefined && mode !== 'single' ? host.envNodes : undefined;
  const field = fromEnv === undefined ? 'nodes' : 'CLUSTER_NODES';
  const given = value ?? fromEnv;
  if (given === undefined) {
    if (mode === 'cluster') {
      fail('nodes', `cluster mode needs the list of nodes: [{ name, host, port }, ...], the string "node1@10.0.0.1:7000,node2@10.0.0.2:7000", or env CLUSTER_NODES.`);
    }
    return [];
  }
  if (typeof given !== 'string' && !Array.isArray(given)) {
    fail(field, 'expected an array of { name, host, port } or a string such as "node1@10.0.0.1:7000,node2@10.0.0.2:7000".');
  }
  const nodes = parseNodes(given, field);
  if (mode === 'cluster' && nodes.length === 0) fail(field, 'cluster mode needs at least one node.');
  return nodes;
}

function parseLogger(value: unknown, fallback: ClusterLogger): ClusterLogger {
  if (value === undefined) return fallback;
  if (value === false) return silentLogger;
  const logger = value as Record<string, unknown>;
  if (typeof logger !== 'object' || logger === null || ['log', 'warn', 'error'].some((m) => typeof logger[m] !== 'function')) {
    fail('logger', 'expected false or a Nest LoggerService (log, warn and error methods).');
  }
  return value as ClusterLogger;
}

function selfNode(nodes: ParsedNodeOptions[], options: ClusterModuleOptions, host: HostIdentity): NodeConfig {
  if (options.nodeName !== undefined && (typeof options.nodeName !== 'string' || options.nodeName === '')) {
    fail('nodeName', 'expected a non-empty string.');
  }
  if (nodes.length === 0) {
    // Single (and address-less redis) mode: a cluster of one needs no list.
    const name = options.nodeName ?? host.envNodeName ?? host.hostname;
    checkNameLength(options.nodeName === undefined && host.envNodeName !== undefined ? 'CLUSTER_NODE_NAME' : 'nodeName', name);
    return { name, ip: '127.0.0.1', port: 0 };
  }
  const self = identifySelf(nodes, options.nodeName, host);
  const bindHost = self.bindHost ?? defaultBindHost(self.ip);
  return { name: self.name, ip: self.ip, port: self.port, ...(bindHost === undefined ? {} : { bindHost }) };
}

/**
 * Issue #14: a node named by DNS listens on every IPv4 interface (a pod cannot know in advance
 * which address its name will point at); a node given by IP listens on that IP, and `localhost`
 * where it resolves, as before. Protected mode then judges the bind address (protected-mode.ts).
 */
function defaultBindHost(host: string): string | undefined {
  return isIP(host) !== 0 || host === 'localhost' ? undefined : '0.0.0.0';
}

/**
 * Validates options and fills in every default (defaults.ts). Any rejected value throws a
 * ClusterConfigError whose message names the field and says what to do. `defaultLogger` is used
 * when `logger` is not given: the Nest module passes `new Logger('Cluster')`, createCluster none.
 */
export function resolveClusterOptions(
  options: ClusterModuleOptions = {},
  host: HostIdentity = currentHost(),
  defaultLogger: ClusterLogger = stderrLogger,
): ClusterSettings {
  if (typeof options !== 'object' || options === null) fail('options', 'expected an object.');
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) fail(key, `unknown option; known options are ${[...KNOWN_OPTIONS].join(', ')}.`);
  }
  const defaults = defaultOptions();
  const mode = options.mode ?? defaults.mode;
  if (!MODES.includes(mode)) fail('mode', `expected one of ${MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(mode)}.`);
  const enabled = parseEnable(options.enable);
  const nodes = nodesOption(options.nodes, mode, host);
  const self = selfNode(nodes, options, host);
  const secret = options.secret ?? (process.env.CLUSTER_SECRET || undefined);
  // Issue #10: one captured handshake lets an attacker guess the secret offline; 16 characters is
  // the floor, a random one (`openssl rand -base64 32`) the advice.
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH)) {
    fail('secret', `expected a string of at least ${MIN_SECRET_LENGTH} characters (or env CLUSTER_SECRET); make one with \`openssl rand -base64 32\`.`);
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
  const lease = parseLease(options.lease, mode, timing);
  // The bind address is this process's own business; peers are known by name, host and port.
  const allNodes: NodeConfig[] =
    nodes.length > 0 ? nodes.map(({ name, ip, port }) => (name === self.name ? self : { name, ip, port })) : [self];
  return {
    mode,
    enabled,
    self,
    nodes: mode === 'single' ? [self] : allNodes,
    connected: mode !== 'single' && nodes.length > 0,
    ...timing,
    secret,
    tls: options.tls,
    insecure: options.insecure ?? false,
    dataDir: options.dataDir,
    maxFrameBytes: bounded(options.maxFrameBytes, 'maxFrameBytes', defaults.maxFrameBytes, 1024, 2 ** 31 - 1, 'bytes'),
    handshakeTimeoutMs: positiveMs(options.handshakeTimeoutMs, 'handshakeTimeoutMs', defaults.handshakeTimeoutMs),
    shutdownTimeoutMs: positiveMs(options.shutdownTimeoutMs, 'shutdownTimeoutMs', defaults.shutdownTimeoutMs),
    redisDiscovery: parseRedisDiscovery(options.redisDiscovery, mode, timing),
    redis: redis && { client: redis.client, options: redis.options, url: redis.url },
    lease,
    postgres: parsePostgres(options.postgres, mode),
    mysql: parseMysql(options.mysql, mode),
    kubernetes: parseKubernetes(options.kubernetes, mode, lease, (options.lease as { name?: unknown } | undefined)?.name !== undefined),
    logger: parseLogger(options.logger, defaultLogger),
  };
}
