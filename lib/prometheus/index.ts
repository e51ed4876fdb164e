// `nest-cluster/prometheus`: the cluster's metrics on an application's prom-client Registry
// (prom-client is an optional peer dependency; nothing else in the package imports it).
export { registerClusterMetrics, type ClusterMetrics, type ClusterMetricsOptions } from './cluster-metrics.js';
export type { MeteredCluster } from './metered-cluster.js';
export { ClusterPrometheusModule, ClusterMetricsRegistration } from './cluster-prometheus.module.js';
export { CLUSTER_METRICS_OPTIONS } from './cluster-prometheus.module-definition.js';
