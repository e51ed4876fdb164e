import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CronLeaderJob } from './cron-leader-job.js';
import { leaderRunner, testLeadership } from '../../../test/helpers/leader-work.js';

describe('CronLeaderJob', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00.500Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('ticks on its schedule only between started and stopped leading', async () => {
    const terms: number[] = [];
    const job = new CronLeaderJob('every-second', '* * * * * *', (ctx) => void terms.push(ctx.term), leaderRunner, () => undefined);
    await vi.advanceTimersByTimeAsync(3000);
    expect(terms).toEqual([]);
    job.onStartedLeading(testLeadership(7).context);
    await vi.advanceTimersByTimeAsync(3000);
    expect(terms).toEqual([7, 7, 7]);
    job.onStoppedLeading();
    await vi.advanceTimersByTimeAsync(3000);
    expect(terms).toHaveLength(3);
  });

  it('skips a tick while the previous run is still busy', async () => {
    let finish!: () => void;
    let runs = 0;
    const job = new CronLeaderJob('busy', '* * * * * *', () => {
      runs++;
      return new Promise<void>((r) => (finish = r));
    }, leaderRunner, () => undefined);
    job.onStartedLeading(testLeadership(1).context);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(1);
    expect(job.skipped).toBe(2);
    finish();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    job.onStoppedLeading();
    finish();
  });

  it('a run that throws synchronously is reported and the schedule goes on', async () => {
    let runs = 0;
    const job = new CronLeaderJob('throws', '* * * * * *', () => {
      runs++;
      throw new Error('boom');
    }, leaderRunner, () => undefined);
    job.onStartedLeading(testLeadership(1).context);
    await vi.advanceTimersByTimeAsync(3000);
    expect(runs).toBe(3);
    expect(job.skipped).toBe(0);
    job.onStoppedLeading();
  });

  it('rejects an invalid expression at construction', () => {
    expect(() => new CronLeaderJob('bad', 'every day', () => undefined, leaderRunner, () => undefined)).toThrow(/not a valid cron expression/);
  });
});
