import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClusterMetricsOptions } from './cluster-metrics.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CLUSTER_METRICS_OPTIONS,
} = new ConfigurableModuleBuilder<ClusterMetricsOptions>({ moduleName: 'ClusterPrometheus' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createClusterMetricsOptions')
  .build();
