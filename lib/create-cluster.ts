import { resolveClusterOptions } from './config/resolve-options.js';
import type { ClusterModuleOptions } from './config/cluster-options.js';
import { Cluster, type ClusterParts } from './core/cluster.js';
import type { Clock } from './core/clock.js';
import { FileStateStore } from './core/election/raft/file-state-store.js';
import { RaftEngine } from './core/election/raft/raft-engine.js';
import type { NodeConfig } from './core/node.js';
import type { HostLookup } from './core/transport/host-lookup.js';
import { Transport } from './core/transport/transport.js';
import { RedisLeaseEngine } from './core/election/redis/redis-lease-engine.js';
import type { ClusterRedisClient } from './core/redis-client.js';
import { SingleEngine } from './core/election/single/single-engine.js';
import type { ClusterSettings } from './core/settings.js';
import { openLeaseStore } from './redis-lease-store.js';
import { systemClock } from './system-clock.js';

/** Test seams, and what the Nest module resolves at run time; applications never pass these. */
export interface ClusterEnvironment {
  clock?: Clock;
  /** The client behind `redisDiscovery.inject`, resolved when the cluster starts. */
  redisClient?: () => ClusterRedisClient;
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
    case 'redis': {
      const { clockDriftBound, eventLoopMarginMs, redisDiscovery: lease, logger } = settings;
      const config = { nodeName: settings.self.name, lease, clockDriftBound, eventLoopMarginMs };
      return {
        clock,
        transport,
        createEngine: (host) =>
          new RedisLeaseEngine(host, config, clock, logger, (onError) => openLeaseStore(settings.redis, env.redisClient, onError)),
      };
    }
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
