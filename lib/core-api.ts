// The framework-free public API: `nest-cluster/core` loads it without @nestjs/* installed, and the
// root entry (`nest-cluster`) re-exports all of it beside the Nest module.
// Options
export type {
  ClusterLeaseOptions,
  ClusterModuleOptions,
  ClusterMysqlOptions,
  ClusterNodeOptions,
  ClusterPostgresOptions,
  ClusterRedisOptions,
  NumericOption,
  RedisDiscoveryOptions,
} from './config/cluster-options.js';
export { resolveClusterOptions } from './config/resolve-options.js';
export { parseNodes } from './config/nodes-option.js';

// Framework-free core
export { createCluster, type ClusterEnvironment } from './create-cluster.js';
export { Cluster, type ClusterParts, type ClusterStats } from './core/cluster.js';
export type {
  ClusterMode,
  ClusterSettings,
  LeaseSettings,
  MysqlSettings,
  PostgresSettings,
  RedisClientSettings,
  RedisLeaseSettings,
} from './core/settings.js';
// A store of your own for mode 'lease' (DESIGN §5)
export type {
  AcquireReply,
  HeldLease,
  LeaseClaim,
  LeaseReading,
  LeaseStore,
  ReplacedValue,
  StoredHolder,
} from './core/election/lease/lease-store.js';
export type { PgPoolLike, PgPoolClient, PgQueryResult, PgNotification } from './core/election/lease/stores/postgres/pg-types.js';
export type { MysqlPoolLike, MysqlResultHeader } from './core/election/lease/stores/mysql/mysql-types.js';
export type { ClusterRedisClient, ClusterRedisConnectionOptions } from './core/redis-client.js';
export type { TransportStats } from './core/transport/transport-types.js';
export type { ElectionEngine, ElectionHost, ElectionView } from './core/election/election-engine.js';
export type { Clock } from './core/clock.js';
export type { LeaderJobRunner, JobHost } from './core/jobs/default-job-tracker.js';
export type { Ran } from './core/jobs/leader-work.js';
export type { FunctionRunner } from './core/rpc/function-runner.js';
export type { RemoteCaller } from './core/rpc/call-dispatcher.js';
export type { ClusterNode } from './core/node.js';
export type {
  CallMade,
  CallMadeOutcome,
  CallServed,
  CallServedOutcome,
  ClusterInstrumentation,
  Ended,
  LeaderJobOutcome,
  LeaderJobRun,
  Observation,
  SkipReason,
  TraceContext,
} from './core/instrumentation/instrumentation.js';
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
