import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ClusterHealthIndicator } from 'nest-cluster/terminus';

/**
 * GET /health: this node's cluster membership, for Kubernetes probes (sample/kubernetes/). Up on
 * the leader and on followers, also while an election runs (so an election never pulls every
 * replica out of a Service at once); down while starting, closing, or after a failed start.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly cluster: ClusterHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.cluster.isHealthy()]);
  }
}
