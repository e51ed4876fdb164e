import { resolveClusterOptions } from './config/resolve-options.js';
import type { ClusterModuleOptions } from './config/cluster-options.js';
import { Cluster, type ClusterParts } from './core/cluster.js';
import type { Clock } from './core/clock.js';
import { FileStateStore } from './core/election/raft/file-state-store.js';
import { RaftEngine } from './core/election/raft/raft-engine.js';
import type { NodeConfig } from './core/node.js';
import type { HostLookup } from './core/transport/host-lookup.js';
import { Transport } from './core/transport/transport.js';
import type { LeaseEngineConfig, LeaseTimings } from './core/election/lease/lease-config.js';
import { LeaseEngine } from './core/election/lease/lease-engine.js';
import type { LeaseStore } from './core/election/lease/lease-store.js';
import type { MysqlPoolLike } from './core/election/lease/stores/mysql/mysql-types.js';
import type { PgPoolLike } from './core/election/lease/stores/postgres/pg-types.js';
import type { ElectionHost } from './core/election/election-engine.js';
import type { ClusterRedisClient } from './core/redis-client.js';
import { SingleEngine } from './core/election/single/single-engine.js';
import type { ClusterSettings } from './core/settings.js';
import { openKubernetesLeaseStore } from './stores/open-kubernetes.js';
import { openMysqlLeaseStore } from './stores/open-mysql.js';
import { openPostgresLeaseStore } from './stores/open-postgres.js';
import { openRedisLeaseStore } from './stores/open-redis.js';
import { systemClock } from './system-clock.js';

/** Test seams, and what the Nest module resolves at run time; applications never pass these. */
export interface ClusterEnvironment {
  clock?: Clock;
  /** The client behind `redisDiscovery.inject`, resolved when the cluster starts. */
  redisClient?: () => ClusterRedisClient;
  /** The pool behind `postgres.inject`, resolved when the cluster starts. */
  postgresPool?: () => PgPoolLike;
  /** The pool behind `mysql.inject`, resolved when the cluster starts. */
  mysqlPool?: () => MysqlPoolLike;
  /** Randomness for election timeouts and re-dial jitter. */
  random?: () => number;
  /** Where to dial each peer (partition tests route links through a proxy). */
  dialAddress?: (peer: NodeConfig) => { readonly host: string; readonly port: number };
  /** Resolves nodes' host names at every dial; `dns.promises.lookup` unless given. */
  lookup?: HostLookup;
}

export function partsFor(settings: ClusterSettings, env: ClusterEnvironment = {}): ClusterParts {
  const clock = env.clock ?? systemClock;
  // Nodes with addresses serve and make remote calls over TCP; in cluster mode they also elect over it.
  const transport = settings.connected
    ? new Transport({ ...settings, clock, random: env.random, dialAddress: env.dialAddress, lookup: env.lookup })
    : undefined;
  switch (settings.mode) {
    case 'single':
      return { clock, createEngine: (host) => new SingleEngine(settings.self.name, host) };
    case 'redis':
    case 'lease':
    case 'postgres':
    case 'mysql':
    case 'kubernetes':
      return { clock, transport, createEngine: (host) => leaseEngine(settings, env, host, clock) };
    case 'cluster':
      return {
        clock,
        transport,
        createEngine: (host, transport) => {
          const store = settings.dataDir ? new FileStateStore(settings.dataDir, settings.self.name) : undefined;
          return new RaftEngine({ settings, host, transport: transport!, store, clock, logger: settings.logger, random: env.random });
        },
      };
  }
}

type StoreOpener = (onError: (kind: string, error: unknown) => void) => Promise<LeaseStore>;

/** DESIGN §5: one lease engine; the mode picks the store, how log lines name it, and its timings. */
function leaseEngine(settings: ClusterSettings, env: ClusterEnvironment, host: ElectionHost, clock: Clock): LeaseEngine {
  const { lease, postgres, mysql, kubernetes } = settings;
  const [label, heldIn, timings, open]: [string, string, LeaseTimings, StoreOpener] =
    settings.mode === 'redis'
      ? ['Redis', 'the leader key', settings.redisDiscovery, (onError) => openRedisLeaseStore(settings.redisDiscovery.dataPath, settings.redis, env.redisClient, onError)]
      : settings.mode === 'postgres'
        ? ['PostgreSQL', 'the lease row', lease, (onError) => openPostgresLeaseStore(postgres!, lease, env.postgresPool, onError)]
        : settings.mode === 'mysql'
          ? ['MySQL', 'the lease row', lease, (onError) => openMysqlLeaseStore(mysql!, lease, env.mysqlPool, onError)]
          : settings.mode === 'kubernetes'
            ? ['Kubernetes', 'the Lease', lease, () => openKubernetesLeaseStore(kubernetes!, lease, clock)]
            : [lease.store!.label ?? 'Lease store', 'the lease', lease, async () => lease.store!];
  const config: LeaseEngineConfig = {
    nodeName: settings.self.name,
    lease: timings,
    clockDriftBound: settings.clockDriftBound,
    eventLoopMarginMs: settings.eventLoopMarginMs,
    label,
    heldIn,
  };
  return new LeaseEngine(host, config, clock, settings.logger, open);
}

/**
 * A cluster node without Nest: validate the options, build the engine for the mode.
 *
 * @example
 * const cluster = createCluster({ mode: 'single' });
 * await cluster.startUp();
 * cluster.isLeader(); // true
 * await cluster.close();
 */
export function createCluster(options: ClusterModuleOptions = {}, env: ClusterEnvironment = {}): Cluster {
  const settings = resolveClusterOptions(options);
  return new Cluster(settings, partsFor(settings, env));
}
