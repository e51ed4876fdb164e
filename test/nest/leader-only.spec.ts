import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Cron, Interval, ScheduleModule, Timeout } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClusterModule,
  ClusterService,
  LeaderOnly,
  MasterCron,
  type ClusterModuleOptions,
  type LeaderContext,
} from 'nest-cluster';
import { waitFor } from '../helpers/wait-for.js';

const apps: INestApplicationContext[] = [];
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

async function boot(options: ClusterModuleOptions, providers: unknown[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot(), ClusterModule.forRoot({ mode: 'single', nodeName: 'solo', logger: false, ...options })],
    providers: providers as never[],
  }).compile();
  const app = await moduleRef.init();
  apps.push(app);
  return app;
}

@Injectable()
class Scheduled {
  below = 0;
  above = 0;
  once = 0;

  // @LeaderOnly applied first (below), @Interval on top.
  @Interval(10)
  @LeaderOnly()
  guardedBelow() {
    this.below++;
  }

  // @Interval applied first, @LeaderOnly on top: its metadata must survive the wrapping.
  @LeaderOnly()
  @Interval(10)
  guardedAbove() {
    this.above++;
  }

  @Timeout(5)
  @LeaderOnly()
  guardedOnce() {
    this.once++;
    return 'ran';
  }

  // Runs everywhere: proof that the scheduler is ticking.
  canary = 0;
  @Interval(10)
  unguarded() {
    this.canary++;
  }
}

describe('@LeaderOnly with @nestjs/schedule', () => {
  it('runs @Interval and @Timeout methods on the acting leader, in either decorator order', async () => {
    const app = await boot({}, [Scheduled]);
    const s = app.get(Scheduled);
    await waitFor(() => s.below >= 2 && s.above >= 2 && s.once === 1, { what: 'scheduled leader-only runs' });
  });

  it('skips them on a node that is not the leader', async () => {
    const app = await boot({ enable: false }, [Scheduled]);
    const s = app.get(Scheduled);
    expect(app.get(ClusterService).isLeader()).toBe(false);
    await waitFor(() => s.canary >= 5, { what: 'the scheduler to tick' });
    expect([s.below, s.above, s.once]).toEqual([0, 0, 0]);
    expect(s.guardedOnce()).toBeUndefined();
  });
});

@Injectable()
class CronJobs {
  terms: number[] = [];

  @MasterCron('* * * * * *')
  everySecond(context: LeaderContext) {
    this.terms.push(context.term);
  }

  // The same schedule without leadership: proof that cron time has passed.
  canary = 0;
  @Cron('* * * * * *')
  everywhere() {
    this.canary++;
  }
}

describe('@MasterCron', () => {
  it('runs the cron schedule on the acting leader with the leader context', async () => {
    const app = await boot({}, [CronJobs]);
    await waitFor(() => app.get(CronJobs).terms.length >= 1, { timeoutMs: 5000, what: 'a cron tick' });
    expect(app.get(CronJobs).terms[0]).toBe(1);
  });

  it('does not run where the cluster is not leading', async () => {
    const app = await boot({ enable: false }, [CronJobs]);
    const jobs = app.get(CronJobs);
    expect(app.get(ClusterService).getStats().trackers).toContain('CronJobs.everySecond');
    await waitFor(() => jobs.canary >= 2, { what: 'two cron ticks' });
    expect(jobs.terms).toEqual([]);
  });

  it('rejects an invalid expression where the class is declared', () => {
    expect(() => {
      class Bad {
        @MasterCron('not cron') job() {}
      }
      return Bad;
    }).toThrow(/@MasterCron: "not cron" is not a valid cron expression/);
  });
});
