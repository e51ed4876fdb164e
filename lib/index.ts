// Nest
export { ClusterModule } from './cluster.module.js';
export { ClusterService } from './cluster.service.js';
export { CLUSTER_MODULE_OPTIONS } from './cluster.module-definition.js';
export { OnStartedLeading } from './decorators/on-started-leading.decorator.js';
export { OnStoppedLeading } from './decorators/on-stopped-leading.decorator.js';
export { OnNewLeader } from './decorators/on-new-leader.decorator.js';
export { OnReleaseMaster } from './decorators/on-release-master.decorator.js';
export { MasterInterval } from './decorators/master-interval.decorator.js';
export { SlaverInterval } from './decorators/slaver-interval.decorator.js';
export type { IntervalArgument, IntervalJobOptions } from './decorators/interval-options.js';
export { MasterCron } from './decorators/master-cron.decorator.js';
export { ClusterFunction } from './decorators/cluster-function.decorator.js';
export { LeaderOnly } from './decorators/leader-only.decorator.js';

// Options
export type {
  ClusterModuleOptions,
  ClusterNodeOptions,
  ClusterRedisOptions,
  RedisDiscoveryOptions,
} from './config/cluster-options.js';
export { resolveClusterOptions } from './config/resolve-options.js';

// Framework-free core
export { createCluster } from './create-cluster.js';
export { Cluster, type ClusterStats } from './core/cluster.js';
export type { ClusterMode } from './core/settings.js';
export type { ClusterNode } from './core/node.js';
export type { ClusterLogger } from './core/logger.js';
export {
  ClusterEventType,
  type ClusterEvent,
  type ClusterState,
  type Phase,
  type Role,
} from './core/events.js';
export type { JobTracker } from './core/jobs/job-tracker.js';
export { LeadershipLostError, type LeaderContext } from './core/jobs/leader-context.js';
export { DefaultCaller } from './core/jobs/default-caller.js';
export {
  DefaultJobTracker,
  type DefaultJobTrackerOptions,
  type IntervalSpec,
  type JobCaller,
} from './core/jobs/default-job-tracker.js';
export type { MasterCronOptions } from './core/jobs/cron-leader-job.js';
export {
  FuncSpec,
  SyncFuncSpec,
  AsyncFuncSpec,
  newFuncSpec,
  newAsyncFuncSpec,
  DEFAULT_CALL_TIMEOUT_MS,
} from './core/rpc/func-spec.js';
export type { ClusterFunctionHandler } from './core/rpc/func-registry.js';
export { currentTraceId, currentCallContext, type CallContext } from './core/rpc/trace.js';
export {
  ClusterError,
  ClusterConfigError,
  NotReadyError,
  NodeNotFoundError,
  NodeUnavailableError,
  FunctionNotFoundError,
  TimeoutError,
  RemoteFunctionError,
  ShuttingDownError,
} from './core/errors.js';
