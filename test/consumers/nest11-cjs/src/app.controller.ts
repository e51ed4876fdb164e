import { Controller, Get } from '@nestjs/common';
import { ClusterService } from 'nest-cluster';
import { AppService } from './app.service';
import { LeaderJobs } from './leader-jobs';

@Controller()
export class AppController {
  constructor(
    private readonly appService: AppService,
    private readonly cluster: ClusterService,
    private readonly jobs: LeaderJobs,
  ) {}

  @Get()
  getHello(): string {
    return this.appService.getHello();
  }

  @Get('leader')
  getLeader() {
    return {
      leader: this.cluster.getLeaderName(),
      isLeader: this.cluster.isLeader(),
      startedLeadingInTerm: this.jobs.startedLeadingInTerm,
    };
  }
}
