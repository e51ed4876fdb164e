import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { currentHost } from './config/node-identity.js';
import { resolveClusterOptions } from './config/resolve-options.js';
import type { ClusterModuleOptions } from './config/cluster-options.js';
import { ClusterExplorer } from './cluster.explorer.js';
import { ClusterOrchestrator } from './cluster.orchestrator.js';
import { CLUSTER_MODULE_OPTIONS, ConfigurableModuleClass } from './cluster.module-definition.js';
import { ClusterService } from './cluster.service.js';
import { partsFor } from './create-cluster.js';
import { resolveInjectedMysql, resolveInjectedPostgres, resolveInjectedRedis } from './cluster.store-inject.js';
import { SHUTDOWN_HOOKS_GRACE_MS, ShutdownHooksCheck } from './cluster.shutdown-hooks.js';

/**
 * Makes `ClusterService` injectable everywhere (global by default; pass `isGlobal: false` to
 * scope it) and wires every `@OnStartedLeading`, `@MasterInterval`, `@ClusterFunction`, ... it
 * finds.
 *
 * @example
 * @Module({ imports: [ClusterModule.forRoot({ mode: 'single' })] })
 * export class AppModule {}
 *
 * // or, from configuration:
 * ClusterModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => config.getOrThrow('cluster'),
 * });
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ClusterService,
      inject: [CLUSTER_MODULE_OPTIONS, ModuleRef],
      useFactory: (options: ClusterModuleOptions, moduleRef: ModuleRef) => {
        const settings = resolveClusterOptions(options, currentHost(), new Logger('Cluster'));
        const { mode } = settings;
        const redisToken = mode === 'redis' ? options.redisDiscovery?.inject : undefined;
        const postgresToken = mode === 'postgres' ? options.postgres?.inject : undefined;
        const mysqlToken = mode === 'mysql' ? options.mysql?.inject : undefined;
        // Resolved at startUp (application bootstrap), when every provider has been created.
        const env = {
          redisClient: redisToken === undefined ? undefined : () => resolveInjectedRedis(moduleRef, redisToken),
          postgresPool: postgresToken === undefined ? undefined : () => resolveInjectedPostgres(moduleRef, postgresToken),
          mysqlPool: mysqlToken === undefined ? undefined : () => resolveInjectedMysql(moduleRef, mysqlToken),
        };
        return new ClusterService(settings, partsFor(settings, env));
      },
    },
    ClusterOrchestrator,
    ClusterExplorer,
    ShutdownHooksCheck,
    { provide: SHUTDOWN_HOOKS_GRACE_MS, useValue: 5000 },
  ],
  exports: [ClusterService],
})
export class ClusterModule extends ConfigurableModuleClass {}
