import type { Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { ClusterInstrumentation } from '../core/instrumentation/instrumentation.js';
import { activityMetrics } from './activity-metrics.js';
import type { MeteredCluster } from './metered-cluster.js';
import { stateMetrics } from './state-metrics.js';

export interface ClusterMetricsOptions {
  /** The application's prom-client registry. The global one is used only if you pass it. */
  readonly registry: Registry;
  /**
   * The `name` label of `leader_election_master_status`, as client-go's lock name;
   * `'nest-cluster'` by default.
   */
  readonly electionName?: string;
}

/** What `registerClusterMetrics` returns: `close()` removes every series it added. */
export interface ClusterMetrics {
  close(): void;
}

/**
 * Adds this node's leadership, election, peer, transport, call and leader-job series to `registry`
 * (README "Metrics" lists them). Series read the cluster when the registry is scraped; calls and
 * job runs are counted as they happen. No timer is started. When the cluster closes they stop
 * updating; `close()` also removes them from the registry.
 *
 * @example
 * const registry = new Registry();
 * const metrics = registerClusterMetrics(cluster, { registry });
 * // GET /metrics: res.end(await registry.metrics())
 * metrics.close();
 */
export function registerClusterMetrics(cluster: MeteredCluster, options: ClusterMetricsOptions): ClusterMetrics {
  const { registry } = options;
  if (typeof registry?.registerMetric !== 'function') {
    throw new TypeError('registerClusterMetrics: `registry` must be a prom-client Registry (the global one only if you pass it).');
  }
  const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
  const added = () => registry.getMetricsAsArray().map((m) => m.name).filter((name) => !before.has(name));
  let activity: ClusterInstrumentation;
  let leaderChanges: Subscription | undefined;
  try {
    leaderChanges = stateMetrics(cluster, registry, options.electionName ?? 'nest-cluster');
    activity = activityMetrics(registry);
  } catch (error) {
    leaderChanges?.unsubscribe();
    // A name already in the registry (metrics registered twice): leave the registry as it was.
    for (const name of added()) registry.removeSingleMetric(name);
    throw error;
  }
  const names = added();
  cluster.addInstrumentation(activity);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    cluster.removeInstrumentation(activity);
    leaderChanges.unsubscribe();
    closing.unsubscribe();
  };
  // The cluster is gone for good once closed: stop being told of it (series stay readable).
  const closing = cluster.state$.subscribe((state) => {
    if (state.phase === 'closed') queueMicrotask(stop);
  });
  return {
    close() {
      stop();
      for (const name of names) registry.removeSingleMetric(name);
    },
  };
}
