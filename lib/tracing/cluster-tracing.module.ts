import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ClusterService } from '../cluster.service.js';
import { enableClusterTracing, type ClusterTracing, type ClusterTracingOptions } from './cluster-tracing.js';

export const CLUSTER_TRACING_OPTIONS = Symbol('nest-cluster:tracing-options');

/** Turns tracing on for the application's cluster when the module starts, off when it is destroyed. */
@Injectable()
export class ClusterTracingRegistration implements OnModuleInit, OnModuleDestroy {
  private tracing: ClusterTracing | undefined;

  constructor(
    private readonly cluster: ClusterService,
    @Inject(CLUSTER_TRACING_OPTIONS) private readonly options: ClusterTracingOptions,
  ) {}

  onModuleInit(): void {
    this.tracing = enableClusterTracing(this.cluster, this.options);
  }

  onModuleDestroy(): void {
    this.tracing?.disable();
    this.tracing = undefined;
  }
}

/**
 * OpenTelemetry spans for the cluster's calls and leader jobs (README "Tracing"); import it beside
 * `ClusterModule`. Spans go to the SDK your app registers.
 *
 * @example
 * @Module({ imports: [ClusterModule.forRoot({ ... }), ClusterTracingModule.forRoot()] })
 * export class AppModule {}
 */
@Module({})
export class ClusterTracingModule {
  static forRoot(options: ClusterTracingOptions = {}): DynamicModule {
    return {
      module: ClusterTracingModule,
      providers: [{ provide: CLUSTER_TRACING_OPTIONS, useValue: options }, ClusterTracingRegistration],
    };
  }
}
