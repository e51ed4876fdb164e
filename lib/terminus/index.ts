// `nest-cluster/terminus`: the health indicator, for apps that use @nestjs/terminus (an optional
// peer dependency; nothing else in the package imports it).
export { ClusterHealthIndicator, type ClusterHealthOptions, type ClusterHealthState } from './cluster.health.js';
