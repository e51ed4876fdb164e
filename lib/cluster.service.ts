import { Injectable } from '@nestjs/common';
import { Cluster } from './core/cluster.js';

/**
 * The cluster, injectable anywhere once `ClusterModule.forRoot()` is imported: the seed's
 * ICluster plus `events$`, `state$`, `waitForLeader()`, `transferLeadership()` and `getStats()`.
 * `ClusterOrchestrator` starts it when the application bootstraps and leaves the cluster (leader
 * jobs drained, leadership handed over) in `onModuleDestroy`; call `app.enableShutdownHooks()`
 * so SIGTERM runs that.
 *
 * @example
 * @Injectable()
 * export class Reports {
 *   constructor(private readonly cluster: ClusterService) {}
 *   status() { return { leader: this.cluster.getLeaderName(), me: this.cluster.isLeader() }; }
 * }
 */
@Injectable()
export class ClusterService extends Cluster {}
