import { resolveClusterOptions } from './config/resolve-options.js';
import type { ClusterModuleOptions } from './config/cluster-options.js';
import { Cluster, type ClusterParts } from './core/cluster.js';
import type { Clock } from './core/clock.js';
import { ClusterConfigError } from './core/errors.js';
import { SingleEngine } from './core/election/single/single-engine.js';
import type { ClusterSettings } from './core/settings.js';
import { systemClock } from './system-clock.js';

/** Test seams; applications never pass these. */
export interface ClusterEnvironment {
  clock?: Clock;
}

export function partsFor(settings: ClusterSettings, env: ClusterEnvironment = {}): ClusterParts {
  const clock = env.clock ?? systemClock;
  switch (settings.mode) {
    case 'single':
      return { clock, createEngine: (host) => new SingleEngine(settings.self.name, host) };
    case 'cluster':
    case 'redis':
      throw new ClusterConfigError(
        `mode '${settings.mode}' is not available in this version of nest-cluster yet; use mode 'single'.`,
      );
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
