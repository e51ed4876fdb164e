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

// Everything without Nest (also importable as `nest-cluster/core`)
export * from './core-api.js';
