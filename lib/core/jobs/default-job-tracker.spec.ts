import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../logger.js';
import { DefaultCaller } from './default-caller.js';
import { DefaultJobTracker, type JobHost } from './default-job-tracker.js';
import { leaderRunner, testLeadership } from '../../../test/helpers/leader-work.js';

function host(name = 'me'): JobHost & { added: string[] } {
  const added: string[] = [];
  return {
    added,
    logger: silentLogger,
    getMyName: () => name,
    addJobTracker: (t) => void added.push(t.name),
    removeJobTracker: async () => undefined,
    runAsLeader: leaderRunner.runAsLeader,
  };
}

class Recorder extends DefaultCaller {
  masters = 0;
  slaves: string[] = [];
  busy: Promise<void> | undefined;
  override masterCall() {
    this.masters++;
    return this.busy;
  }
  override slaverCall(leaderName: string) {
    this.slaves.push(leaderName);
  }
}

describe('DefaultJobTracker', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('calls masterCall every interval while leading, the first one interval after SignMaster', async () => {
    const caller = new Recorder();
    const tracker = new DefaultJobTracker(10, host(), caller);
    const leadership = testLeadership(1);
    await tracker.onStartedLeading(leadership.context);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(caller.masters).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(caller.masters).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(caller.masters).toBe(3);
    leadership.work.end();
    await tracker.onStoppedLeading();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(caller.masters).toBe(3);
  });

  it('with runOnStart, runs at once', async () => {
    const caller = new Recorder();
    const tracker = new DefaultJobTracker({ ms: 500 }, host(), caller, { runOnStart: true });
    await tracker.onStartedLeading(testLeadership(1).context);
    expect(caller.masters).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(caller.masters).toBe(2);
    await tracker.onStoppedLeading();
  });

  it('never overlaps itself: a tick that finds the previous run busy is skipped and counted', async () => {
    const caller = new Recorder();
    let finish!: () => void;
    caller.busy = new Promise<void>((r) => (finish = r));
    const tracker = new DefaultJobTracker({ ms: 100 }, host(), caller);
    await tracker.onStartedLeading(testLeadership(1).context);
    await vi.advanceTimersByTimeAsync(350);
    expect(caller.masters).toBe(1);
    expect(tracker.skippedRuns).toBe(2);
    finish();
    caller.busy = undefined;
    await vi.advanceTimersByTimeAsync(100);
    expect(caller.masters).toBe(2);
    await tracker.onStoppedLeading();
  });

  it('stops calling masterCall the moment the leader signal aborts, before onStoppedLeading', async () => {
    const caller = new Recorder();
    const tracker = new DefaultJobTracker({ ms: 100 }, host(), caller);
    const leadership = testLeadership(1);
    await tracker.onStartedLeading(leadership.context);
    leadership.work.end();
    await vi.advanceTimersByTimeAsync(1000);
    expect(caller.masters).toBe(0);
    await tracker.onStoppedLeading();
  });

  it('calls slaverCall with the leader name on followers only, until the leader is released', async () => {
    const caller = new Recorder();
    const tracker = new DefaultJobTracker(1, host('me'), caller);
    await tracker.onNewLeader('me');
    await vi.advanceTimersByTimeAsync(5000);
    expect(caller.slaves).toEqual([]);
    await tracker.onNewLeader('boss');
    await vi.advanceTimersByTimeAsync(2000);
    expect(caller.slaves).toEqual(['boss', 'boss']);
    await tracker.onReleaseMaster();
    await vi.advanceTimersByTimeAsync(5000);
    expect(caller.slaves).toHaveLength(2);
  });

  it('forwards the leadership callbacks the caller defines, and registers by name', async () => {
    const log: string[] = [];
    class Business extends DefaultCaller {
      override onStartedLeading() { log.push('started'); }
      override onStoppedLeading() { log.push('stopped'); }
      override onNewLeader(name: string) { log.push(`new:${name}`); }
      override onReleaseMaster() { log.push('released'); }
    }
    const h = host();
    const tracker = new DefaultJobTracker(5, h, new Business()).start();
    expect(h.added).toEqual(['Business']);
    await tracker.onStartedLeading(testLeadership(1).context);
    await tracker.onNewLeader('me');
    await tracker.onStoppedLeading();
    await tracker.onReleaseMaster();
    expect(log).toEqual(['started', 'new:me', 'stopped', 'released']);
    await tracker.close();
  });

  it('rejects an interval that is not a positive duration', () => {
    expect(() => new DefaultJobTracker(0, host(), new Recorder())).toThrow(/positive number of seconds/);
    expect(() => new DefaultJobTracker({ ms: Number.NaN }, host(), new Recorder())).toThrow(/interval/);
  });

  it('a masterCall or slaverCall that throws synchronously is logged and keeps its schedule', async () => {
    const errors: string[] = [];
    const h = { ...host('me'), logger: { ...silentLogger, error: (m: string) => void errors.push(m) } };
    let masters = 0;
    let slaves = 0;
    const caller = {
      masterCall: () => {
        masters++;
        throw new Error('master boom');
      },
      slaverCall: () => {
        slaves++;
        throw new Error('slaver boom');
      },
    };
    const tracker = new DefaultJobTracker({ ms: 100 }, h, caller, { name: 'jobs' });
    await tracker.onStartedLeading(testLeadership(1, h.logger).context);
    await vi.advanceTimersByTimeAsync(300);
    expect(masters).toBe(3);
    await tracker.onStoppedLeading();
    await tracker.onNewLeader('boss');
    await vi.advanceTimersByTimeAsync(300);
    expect(slaves).toBe(3);
    expect(tracker.skippedRuns).toBe(0);
    expect(errors.filter((e) => e.includes('jobs.masterCall') && e.includes('master boom'))).toHaveLength(3);
    expect(errors.filter((e) => e.includes('jobs.slaverCall') && e.includes('slaver boom'))).toHaveLength(3);
    await tracker.onReleaseMaster();
  });

  it('masterCall does not run once the lease is over on the clock, though its timer fires', async () => {
    const caller = new Recorder();
    const tracker = new DefaultJobTracker({ ms: 100 }, host(), caller);
    const leadership = testLeadership(1);
    await tracker.onStartedLeading(leadership.context);
    await vi.advanceTimersByTimeAsync(100);
    expect(caller.masters).toBe(1);
    leadership.expire();
    await vi.advanceTimersByTimeAsync(300);
    expect(caller.masters).toBe(1);
    expect(leadership.context.signal.aborted).toBe(true);
    expect(leadership.lapses).toBe(1);
    await tracker.onStoppedLeading();
  });

  it('a caller without masterCall or slaverCall gets no timer for it', async () => {
    const leaderOnly = new DefaultJobTracker({ ms: 100 }, host('me'), { masterCall: () => undefined });
    await leaderOnly.onNewLeader('boss');
    expect(vi.getTimerCount()).toBe(0);
    const followerOnly = new DefaultJobTracker({ ms: 100 }, host('me'), { slaverCall: () => undefined });
    await followerOnly.onStartedLeading(testLeadership(1).context);
    expect(vi.getTimerCount()).toBe(0);
    await followerOnly.onNewLeader('boss');
    expect(vi.getTimerCount()).toBe(1);
    await followerOnly.onReleaseMaster();
  });
});
