import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../../test/helpers/clusters.js';
import { LeaderWork } from './leader-work.js';

function work(leaseUntil = { at: Number.POSITIVE_INFINITY }) {
  const logger = memoryLogger();
  let lapses = 0;
  const clock = { now: () => 100, wallTime: () => 0 };
  const leaderWork = new LeaderWork(3, 3, { clock, actingUntil: () => leaseUntil.at, lapsed: () => void lapses++ }, logger);
  return { leaderWork, logger, lapses: () => lapses };
}

describe('LeaderWork', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('checks the lease on the clock before a run: a lease found over aborts the signal and runs nothing', () => {
    const lease = { at: 150 };
    const { leaderWork, lapses } = work(lease);
    const ran: number[] = [];
    expect(leaderWork.run('job', (ctx) => void ran.push(ctx.fencingToken))).toBeInstanceOf(Promise);
    lease.at = 100; // no timer fired: the clock alone says the lease is over
    expect(leaderWork.run('job', () => void ran.push(-1))).toBe(false);
    expect(ran).toEqual([3]);
    expect(leaderWork.context.signal.aborted).toBe(true);
    expect(leaderWork.context.signal.reason).toMatchObject({ code: 'ERR_CLUSTER_LEADERSHIP_LOST' });
    expect(lapses()).toBe(1);
    expect(leaderWork.holds()).toBe(false);
  });

  it('logs a synchronous or asynchronous failure with the job name and never rethrows it', async () => {
    const { leaderWork, logger } = work();
    const sync = leaderWork.run('Reports.build', () => {
      throw new Error('sync boom');
    });
    const async = leaderWork.run('Reports.send', async () => {
      throw new Error('async boom');
    });
    await expect(sync).resolves.toBeUndefined();
    await expect(async).resolves.toBeUndefined();
    const errors = logger.lines.filter((l) => l.level === 'error').map((l) => l.message);
    expect(errors).toEqual([
      expect.stringContaining('Reports.build failed: Error: sync boom'),
      expect.stringContaining('Reports.send failed: Error: async boom'),
    ]);
  });

  it('call() hands the job its own result and errors, and registers a returned promise', async () => {
    const { leaderWork } = work();
    expect(leaderWork.call('m', () => 42)).toEqual({ value: 42 });
    expect(() => leaderWork.call('m', () => { throw new Error('mine'); })).toThrow('mine');
    let finish!: () => void;
    leaderWork.call('slow', () => new Promise<void>((r) => (finish = r)));
    expect(leaderWork.busy).toEqual(['slow']);
    finish();
    await Promise.resolve();
    await Promise.resolve();
    expect(leaderWork.busy).toEqual([]);
  });

  it('drain() awaits every run still going after end(), and no longer than its bound', async () => {
    const { leaderWork } = work();
    let finish!: () => void;
    void leaderWork.run('quick', () => new Promise<void>((r) => (finish = r)));
    void leaderWork.run('stubborn', () => new Promise<void>(() => undefined)); // ignores its signal
    leaderWork.end();
    expect(leaderWork.run('late', () => undefined)).toBe(false);
    let drained: string[] | undefined;
    void leaderWork.drain(1_000).then((busy) => (drained = busy));
    await vi.advanceTimersByTimeAsync(500);
    finish();
    await vi.advanceTimersByTimeAsync(499);
    expect(drained).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(drained).toEqual(['stubborn']);
  });

  it('drain() resolves as soon as the last run ends', async () => {
    const { leaderWork } = work();
    let finish!: () => void;
    void leaderWork.run('quick', () => new Promise<void>((r) => (finish = r)));
    let drained: string[] | undefined;
    void leaderWork.drain(60_000).then((busy) => (drained = busy));
    await vi.advanceTimersByTimeAsync(10);
    expect(drained).toBeUndefined();
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(drained).toEqual([]);
  });
});
