import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Cluster } from './core/cluster.js';

/**
 * The cluster, injectable anywhere once `ClusterModule.forRoot()` is imported. It starts in
 * `onApplicationBootstrap` and leaves the cluster (handing leadership over) in `onModuleDestroy`,
 * the first shutdown hook, so leader jobs stop before the rest of the application closes. Call
 * `app.enableShutdownHooks()` so SIGTERM runs these hooks.
 *
 * @example
 * @Injectable()
 * export class Reports {
 *   constructor(private readonly cluster: ClusterService) {}
 *   status() { return { leader: this.cluster.getLeaderName(), me: this.cluster.isLeader() }; }
 * }
 */
@Injectable()
export class ClusterService extends Cluster implements OnApplicationBootstrap, OnModuleDestroy {
  async onApplicationBootstrap(): Promise<void> {
    await this.startUp();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }
}
