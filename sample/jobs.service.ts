import { Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { Subject } from 'rxjs';
import {
  ClusterFunction,
  currentTraceId,
  LeaderOnly,
  MasterInterval,
  OnNewLeader,
  OnStartedLeading,
  OnStoppedLeading,
  SlaverInterval,
  type LeaderContext,
} from 'nest-cluster';

/** The seed's BusinessCaller, the Nest way: decorated methods on an ordinary provider. */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);
  masterRuns = 0;
  /** Every run of the leader job, as it starts (the demo prints them to show the job moving). */
  readonly leaderRuns$ = new Subject<{ run: number; fencingToken: number }>();

  @OnStartedLeading()
  becameLeader({ term }: LeaderContext) {
    this.logger.log(`I am the leader now (term ${term})`);
  }

  @OnStoppedLeading()
  lostLeadership() {
    this.logger.log('I am no longer the leader');
  }

  @OnNewLeader()
  newLeader(name: string) {
    this.logger.log(`leader is ${name}`);
  }

  /** Leader-only work, e.g. cleaning expired rows; never overlaps itself. */
  @MasterInterval({ ms: 500 })
  async cleanUp({ fencingToken, signal }: LeaderContext) {
    this.masterRuns++;
    if (signal.aborted) return;
    this.leaderRuns$.next({ run: this.masterRuns, fencingToken });
    this.logger.log(`leader job #${this.masterRuns} (fencing token ${fencingToken})`);
  }

  /** Follower work, e.g. a health report to the leader. */
  @SlaverInterval({ ms: 500 })
  followerCheck(leaderName: string) {
    this.logger.log(`follower check, leader is ${leaderName}`);
  }

  /** An existing @nestjs/schedule job made leader-only with one line. */
  @Cron('*/2 * * * * *')
  @LeaderOnly()
  digest() {
    this.logger.log('leader-only cron: sending the digest');
  }

  @ClusterFunction('hello')
  hello(name: string) {
    return `Hello, ${name}! (trace ${currentTraceId() ?? 'none'})`;
  }
}
