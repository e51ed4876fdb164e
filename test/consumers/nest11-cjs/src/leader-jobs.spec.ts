import { Test, TestingModule } from '@nestjs/testing';
import { ClusterModule, ClusterService } from 'nest-cluster';
import { LeaderJobs } from './leader-jobs';

describe('LeaderJobs', () => {
  let moduleRef: TestingModule;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'single', logger: false })],
      providers: [LeaderJobs],
    }).compile();
    await moduleRef.init();
  });

  afterEach(() => moduleRef.close());

  it('runs the leader-only handlers once this node leads', async () => {
    const jobs = moduleRef.get(LeaderJobs);
    await jobs.started;
    await jobs.firstIntervalRun;
    expect(moduleRef.get(ClusterService).isLeader()).toBe(true);
    expect(jobs.startedLeadingInTerm).toBeGreaterThan(0);
    expect(jobs.intervalRuns).toBeGreaterThanOrEqual(1);
  });
});
