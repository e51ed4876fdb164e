import type { Observable } from 'rxjs';
import type { ClusterStats } from '../core/cluster-parts.js';
import type { ClusterState } from '../core/events.js';
import type { ClusterInstrumentation } from '../core/instrumentation/instrumentation.js';

/** What the metrics read from a cluster: a core `Cluster` or Nest's `ClusterService`. */
export interface MeteredCluster {
  readonly state$: Observable<ClusterState>;
  getStats(): ClusterStats;
  isLeader(): boolean;
  getAllNodeCount(): number;
  getAliveNodeCount(): number;
  addInstrumentation(instrumentation: ClusterInstrumentation): void;
  removeInstrumentation(instrumentation: ClusterInstrumentation): boolean;
}
