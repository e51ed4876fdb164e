import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { ClusterModuleOptions } from './config/cluster-options.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CLUSTER_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ClusterModuleOptions>({ moduleName: 'Cluster' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createClusterOptions')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
