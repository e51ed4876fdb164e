import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterService } from './cluster.service.js';
import { CronLeaderJob, type MasterCronOptions } from './core/jobs/cron-leader-job.js';
import { DefaultJobTracker, type JobCaller } from './core/jobs/default-job-tracker.js';
import type { JobTracker } from './core/jobs/job-tracker.js';
import type { LeaderContext } from './core/jobs/leader-context.js';
import { errorStack, errorText } from './core/logger.js';
import type { ClusterFunctionHandler } from './core/rpc/func-registry.js';
import { bindLeaderOnly } from './decorators/leader-only.decorator.js';

/**
 * Mounts what the explorer found when the application bootstraps, then starts the cluster; on
 * shutdown leaves the cluster (onModuleDestroy, the first shutdown hook, so leader jobs drain and
 * leadership is handed over before the rest of the application closes). Call
 * `app.enableShutdownHooks()` so SIGTERM runs it.
 */
@Injectable()
export class ClusterOrchestrator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly trackers: JobTracker[] = [];
  private readonly functions: { name: string; fn: ClusterFunctionHandler }[] = [];
  private readonly leaderOnly: object[] = [];

  constructor(private readonly cluster: ClusterService) {}

  addTracker(tracker: JobTracker): void {
    this.trackers.push(tracker);
  }

  addFunction(name: string, fn: ClusterFunctionHandler): void {
    this.functions.push({ name, fn });
  }

  addInterval(name: string, ms: number, runOnStart: boolean | undefined, caller: JobCaller): void {
    this.trackers.push(new DefaultJobTracker({ ms }, this.cluster, caller, { name, runOnStart, runSlaverOnStart: runOnStart }));
  }

  addCron(name: string, expression: string, run: (context: LeaderContext) => unknown, options: MasterCronOptions): void {
    const onError = (error: unknown) => this.cluster.logger.error(`${name} failed: ${errorText(error)}`, errorStack(error));
    this.trackers.push(new CronLeaderJob(name, expression, run, this.cluster, onError, options));
  }

  addLeaderOnly(instance: object): void {
    this.leaderOnly.push(instance);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const { name, fn } of this.functions) this.cluster.registerFunc(name, fn);
    for (const instance of this.leaderOnly) bindLeaderOnly(instance, this.cluster);
    for (const tracker of this.trackers) this.cluster.addJobTracker(tracker);
    await this.cluster.startUp();
  }

  async onModuleDestroy(): Promise<void> {
    await this.cluster.close();
  }
}
