// `nest-cluster/tracing`: OpenTelemetry spans of the cluster's calls and leader jobs, through
// `@opentelemetry/api` only (an optional peer dependency; nothing else in the package imports it).
export { enableClusterTracing, type ClusterTracing, type ClusterTracingOptions, type TracedCluster } from './cluster-tracing.js';
export { ClusterTracingModule, ClusterTracingRegistration, CLUSTER_TRACING_OPTIONS } from './cluster-tracing.module.js';
