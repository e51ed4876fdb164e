import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { ClusterModule, parseNodes, type ClusterModuleOptions } from 'nest-cluster';
import { ClusterHealthIndicator } from 'nest-cluster/terminus';
import { ClusterController } from './cluster.controller.js';
import { HealthController } from './health.controller.js';
import { EventsService } from './events.service.js';
import { JobsService } from './jobs.service.js';

/**
 * Cluster options from the environment, as a deployment would pass them:
 * CLUSTER_NODES="node1@127.0.0.1:7001,node2@127.0.0.1:7002,node3@127.0.0.1:7003",
 * CLUSTER_NODE_NAME=node1 (on Kubernetes the pod's HOSTNAME names it), and optionally
 * CLUSTER_TIMEOUT_MS, CLUSTER_SHUTDOWN_TIMEOUT_MS and CLUSTER_DATA_DIR (where term and vote survive
 * restarts). Without CLUSTER_NODES the app runs in single mode. The module reads CLUSTER_NODES,
 * CLUSTER_NODE_NAME and CLUSTER_SECRET by itself; parsing the list here only decides the mode.
 */
export function clusterOptions(env: NodeJS.ProcessEnv = process.env): ClusterModuleOptions {
  const nodes = env.CLUSTER_NODES ? parseNodes(env.CLUSTER_NODES, 'CLUSTER_NODES') : undefined;
  return {
    mode: nodes ? 'cluster' : 'single',
    nodes,
    nodeName: env.CLUSTER_NODE_NAME ?? (nodes ? undefined : 'node1'),
    electionTimeoutMs: env.CLUSTER_TIMEOUT_MS,
    shutdownTimeoutMs: env.CLUSTER_SHUTDOWN_TIMEOUT_MS,
    dataDir: env.CLUSTER_DATA_DIR,
  };
}

@Module({
  imports: [ScheduleModule.forRoot(), TerminusModule, ClusterModule.forRoot(clusterOptions())],
  controllers: [ClusterController, HealthController],
  providers: [JobsService, EventsService, ClusterHealthIndicator],
})
export class AppModule {}
