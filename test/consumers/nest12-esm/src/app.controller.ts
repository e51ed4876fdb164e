import { Controller, Get } from '@nestjs/common';
import { ClusterService } from 'nest-cluster';
import { LeaderJobs } from './leader-jobs.js';

@Controller()
export class AppController {
  constructor(
    private readonly cluster: ClusterService,
    private readonly jobs: LeaderJobs,
  ) {}

  @Get('leader')
  getLeader() {
    return { leader: this.cluster.getLeaderName(), isLeader: this.cluster.isLeader(), runs: this.jobs.runs };
  }
}
