import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ClusterService } from '../cluster.service.js';

export interface ClusterHealthOptions {
  /**
   * Report `down` while this node knows no live leader (and when the cluster is disabled). For a
   * readiness probe of a service that cannot serve without a leader; see the README before using
   * it: during an election every replica would be pulled out of the load balancer at once.
   */
  readonly requireLeader?: boolean;
}

/** What this node is, in the `state` detail of the health result. */
export type ClusterHealthState = 'leader' | 'follower' | 'no-leader' | 'starting' | 'closed' | 'failed' | 'disabled';

/**
 * A `@nestjs/terminus` health indicator for this node's membership (terminus 11 and 12, on their
 * `HealthIndicatorService`). `up` on the acting leader and on a follower that knows a live leader.
 * A follower without one (an election under way, a lost quorum) is `up` too, with `state:
 * 'no-leader'` and `leader: null`, so an election never pulls healthy replicas out of a load
 * balancer; pass `{ requireLeader: true }` to make that `down`. `down` when the cluster is closing,
 * closed, not started yet, or failed to start. Details: state, node, role, term, leader, alive and
 * lost nodes.
 *
 * @example
 * @Controller('health')
 * export class HealthController {
 *   constructor(private readonly health: HealthCheckService, private readonly cluster: ClusterHealthIndicator) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.cluster.isHealthy()]);
 *   }
 * }
 * // module: imports: [TerminusModule], providers: [ClusterHealthIndicator], controllers: [HealthController]
 */
@Injectable()
export class ClusterHealthIndicator {
  constructor(
    private readonly cluster: ClusterService,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy<const Key extends string = 'cluster'>(key: Key = 'cluster' as Key, options: ClusterHealthOptions = {}) {
    const state = this.state();
    const stats = this.cluster.getStats();
    const details = {
      state,
      node: stats.nodeName,
      role: stats.role,
      term: stats.term,
      leader: state === 'leader' || state === 'follower' ? (this.cluster.getLeaderName() ?? null) : null,
      alive: this.cluster.getAliveNodeNames(),
      lost: this.cluster.getLostNodeNames(),
    };
    const session = this.health.check(key);
    const up = state === 'leader' || state === 'follower' || (!options.requireLeader && (state === 'no-leader' || state === 'disabled'));
    return up ? session.up(details) : session.down(details);
  }

  private state(): ClusterHealthState {
    const { phase } = this.cluster.getStats();
    switch (phase) {
      case 'idle':
      case 'starting':
        return 'starting';
      case 'closing':
      case 'closed':
        return 'closed';
      case 'failed':
      case 'disabled':
        return phase;
      case 'running':
        if (this.cluster.isLeader()) return 'leader';
        // isReady: a known leader heard from within the election timeout (or its lease still runs).
        return this.cluster.getLeaderName() !== undefined && this.cluster.isReady() ? 'follower' : 'no-leader';
    }
  }
}
