import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ClusterModule, type ClusterModuleOptions } from 'nest-cluster';
import { ClusterController } from './cluster.controller.js';
import { EventsService } from './events.service.js';
import { JobsService } from './jobs.service.js';

/** Cluster options from the environment, as a deployment would pass them. */
export function clusterOptions(env: NodeJS.ProcessEnv = process.env): ClusterModuleOptions {
  return {
    mode: 'single',
    nodeName: env.CLUSTER_NODE_NAME ?? 'node1',
  };
}

@Module({
  imports: [ScheduleModule.forRoot(), ClusterModule.forRoot(clusterOptions())],
  controllers: [ClusterController],
  providers: [JobsService, EventsService],
})
export class AppModule {}
