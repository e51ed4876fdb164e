import { Inject, Injectable, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClusterService } from '../cluster.service.js';
import { registerClusterMetrics, type ClusterMetrics, type ClusterMetricsOptions } from './cluster-metrics.js';
import { CLUSTER_METRICS_OPTIONS, ConfigurableModuleClass } from './cluster-prometheus.module-definition.js';

/** Registers the cluster's metrics when the module starts and removes them when it is destroyed. */
@Injectable()
export class ClusterMetricsRegistration implements OnModuleInit, OnModuleDestroy {
  private metrics: ClusterMetrics | undefined;

  constructor(
    private readonly cluster: ClusterService,
    @Inject(CLUSTER_METRICS_OPTIONS) private readonly options: ClusterMetricsOptions,
  ) {}

  onModuleInit(): void {
    this.metrics = registerClusterMetrics(this.cluster, this.options);
  }

  onModuleDestroy(): void {
    this.metrics?.close();
    this.metrics = undefined;
  }
}

/**
 * The cluster's metrics on your prom-client `Registry` (README "Metrics"); import it beside
 * `ClusterModule`. Serve the registry from your own `/metrics` route (or `@willsoto/nestjs-prometheus`
 * with the same registry).
 *
 * @example
 * const registry = new Registry();
 * @Module({
 *   imports: [ClusterModule.forRoot({ ... }), ClusterPrometheusModule.forRoot({ registry })],
 * })
 * export class AppModule {}
 *
 * // or with a registry from a provider:
 * ClusterPrometheusModule.forRootAsync({ inject: [METRICS_REGISTRY], useFactory: (registry: Registry) => ({ registry }) });
 */
@Module({ providers: [ClusterMetricsRegistration] })
export class ClusterPrometheusModule extends ConfigurableModuleClass {}
