/** Metadata keys of our decorators, namespaced so they never collide with another library's. */
export const ON_STARTED_LEADING = 'cluster:on-started-leading';
export const ON_STOPPED_LEADING = 'cluster:on-stopped-leading';
export const ON_NEW_LEADER = 'cluster:on-new-leader';
export const ON_RELEASE_MASTER = 'cluster:on-release-master';
export const MASTER_INTERVAL = 'cluster:master-interval';
export const SLAVER_INTERVAL = 'cluster:slaver-interval';
export const MASTER_CRON = 'cluster:master-cron';
export const CLUSTER_FUNCTION = 'cluster:function';
export const LEADER_ONLY = 'cluster:leader-only';

export const HOOK_KEYS = [ON_STARTED_LEADING, ON_STOPPED_LEADING, ON_NEW_LEADER, ON_RELEASE_MASTER] as const;
export const ALL_KEYS = [...HOOK_KEYS, MASTER_INTERVAL, SLAVER_INTERVAL, MASTER_CRON, CLUSTER_FUNCTION, LEADER_ONLY] as const;
