import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manualClock, memoryLogger, scriptedCluster } from '../../test/helpers/clusters.js';
import { NotReadyError, ShuttingDownError, TimeoutError } from './errors.js';
import type { ClusterEvent, ClusterState } from './events.js';
import { DefaultJobTracker } from './jobs/default-job-tracker.js';
import type { LeaderContext } from './jobs/leader-context.js';

const leaderView = { role: 'leader' as const, term: 2, leaderName: 'n1', acting: true, fencingToken: 2 };

describe('Cluster lifecycle and events', () => {
  it('emits StartUp, then the election, then SignMaster when this node starts acting', async () => {
    const { cluster, engine, types } = scriptedCluster();
    await cluster.startUp();
    engine.set({ role: 'pre-candidate', term: 1 });
    engine.set({ role: 'candidate', term: 2 });
    engine.set({ role: 'leader' });
    expect(cluster.isLeader()).toBe(false); // elected but not yet acting: old leases may still run
    engine.set({ leaderName: 'n1', acting: true, fencingToken: 2 });
    expect(types()).toEqual(['StartUp', 'ElectionStart', 'ElectionFinish', 'SignMaster']);
    expect(cluster.isLeader()).toBe(true);
    expect(cluster.getMyTerm()).toBe(2);
    await cluster.close();
  });

  it('a follower that learns its leader emits SignFollower, and ReleaseMaster when it loses it', async () => {
    const { cluster, engine, types, events } = scriptedCluster();
    await cluster.startUp();
    engine.set({ term: 3, leaderName: 'n2' });
    engine.set({ leaderName: undefined });
    engine.set({ leaderName: 'n3', term: 4 });
    expect(types()).toEqual(['StartUp', 'SignFollower', 'ReleaseMaster', 'SignFollower']);
    expect(events[1]).toMatchObject({ type: 'SignFollower', term: 3, leaderName: 'n2', nodeName: 'n1' });
    expect(events[1]!.at).toBeInstanceOf(Date);
    await cluster.close();
  });

  it('close hands over, emits StopMaster, ReleaseMaster and Close, and completes the streams', async () => {
    const { cluster, engine, types } = scriptedCluster();
    await cluster.startUp();
    engine.set(leaderView);
    let completed = false;
    cluster.events$.subscribe({ complete: () => (completed = true) });
    await cluster.close();
    expect(engine.stops).toEqual([true]);
    expect(types()).toEqual(['StartUp', 'SignMaster', 'StopMaster', 'ReleaseMaster', 'Close']);
    expect(completed).toBe(true);
    expect(cluster.isClose()).toBe(true);
  });

  it('startUp and close are idempotent, and a closed cluster refuses to start again', async () => {
    const { cluster, types } = scriptedCluster();
    await Promise.all([cluster.startUp(), cluster.startUp()]);
    await Promise.all([cluster.close(), cluster.close()]);
    await cluster.close();
    expect(types()).toEqual(['StartUp', 'Close']);
    await expect(cluster.startUp()).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it('state$ replays the latest state to a late subscriber', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    engine.set(leaderView);
    const seen: ClusterState[] = [];
    cluster.state$.subscribe((state) => seen.push(state));
    expect(seen).toEqual([
      { phase: 'running', role: 'leader', term: 2, nodeName: 'n1', leaderName: 'n1', isLeader: true },
    ]);
    await cluster.close();
    expect(seen.at(-1)?.phase).toBe('closed');
  });

  it('events stay in order when a subscriber reacts to one by changing the state', async () => {
    const { cluster, engine } = scriptedCluster();
    const first: string[] = [];
    const second: string[] = [];
    cluster.events$.subscribe((e) => {
      first.push(e.type);
      if (e.type === 'SignMaster') engine.set({ acting: false, leaderName: undefined });
    });
    cluster.events$.subscribe((e) => second.push(e.type));
    await cluster.startUp();
    engine.set(leaderView);
    expect(first).toEqual(['StartUp', 'SignMaster', 'StopMaster', 'ReleaseMaster']);
    expect(second).toEqual(first);
    await cluster.close();
  });

  it('every SignMaster is followed by exactly one StopMaster, and trackers see only paired calls, for any sequence of views', async () => {
    const view = fc.record({
      role: fc.constantFrom('follower', 'pre-candidate', 'candidate', 'leader'),
      leaderName: fc.constantFrom(undefined, 'n1', 'n2', 'n3'),
      acting: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(view, { maxLength: 40 }), async (views) => {
        const { cluster, engine, types } = scriptedCluster();
        const calls: string[] = [];
        cluster.addJobTracker({
          name: 't',
          onStartedLeading: () => void calls.push('start'),
          onStoppedLeading: () => void calls.push('stop'),
        });
        await cluster.startUp();
        let term = 0;
        for (const v of views) engine.set({ ...v, term: ++term, fencingToken: term });
        await cluster.close();
        const leadership = types().filter((t) => t === 'SignMaster' || t === 'StopMaster');
        leadership.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'SignMaster' : 'StopMaster'));
        expect(leadership.length % 2).toBe(0);
        calls.forEach((c, i) => expect(c).toBe(i % 2 === 0 ? 'start' : 'stop'));
        expect(calls.length % 2).toBe(0);
        // A leadership that ended before its onStartedLeading's turn came is skipped, start and stop.
        expect(calls.length).toBeLessThanOrEqual(leadership.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Cluster queries', () => {
  it('reports nodes, liveness and readiness as the engine reports them', async () => {
    const { cluster, engine, transport } = scriptedCluster();
    expect(cluster.getAllNodeNames()).toEqual(['n1', 'n2', 'n3']);
    expect(cluster.getAllNodeCount()).toBe(3);
    expect(cluster.getMyName()).toBe('n1');
    expect(cluster.getMyAddress()).toBe('127.0.0.1:7001');
    transport.alive.add('n3');
    expect(cluster.getAliveNodeNames()).toEqual(['n1', 'n3']);
    expect(cluster.getAliveNodeCount()).toBe(2);
    expect(cluster.getLostNodeNames()).toEqual(['n2']);
    expect(cluster.getNodeByName('n2')).toEqual({ name: 'n2', ip: '127.0.0.1', port: 7002, address: '127.0.0.1:7002', alive: false });
    expect(cluster.getNodeByName('nope')).toBeUndefined();

    await cluster.startUp();
    engine.set({ term: 1, leaderName: 'n2' });
    expect(cluster.isReady()).toBe(false); // not heard from within T
    engine.ready = Number.POSITIVE_INFINITY;
    expect(cluster.isReady()).toBe(true);
    expect(cluster.getLeaderNode()?.name).toBe('n2');
    expect(cluster.getLeaderName()).toBe('n2');
    engine.set({ role: 'pre-candidate' });
    expect(cluster.isFighting()).toBe(true);
    expect(cluster.isCandidate()).toBe(false);
    engine.set({ role: 'candidate' });
    expect(cluster.isCandidate()).toBe(true);
    expect(cluster.isFollower()).toBe(false);
    await cluster.close();
  });

  it('waitForLeader resolves when a leader is known, and rejects on timeout or close', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    await expect(cluster.waitForLeader(20)).rejects.toBeInstanceOf(TimeoutError);
    const waiting = cluster.waitForLeader(10_000);
    engine.ready = Number.POSITIVE_INFINITY;
    engine.set({ term: 1, leaderName: 'n3' });
    await expect(waiting).resolves.toMatchObject({ name: 'n3' });
    await expect(cluster.waitForLeader(5)).resolves.toMatchObject({ name: 'n3' });
    engine.set({ leaderName: undefined });
    const pending = cluster.waitForLeader(10_000);
    const closing = cluster.close();
    await expect(pending).rejects.toBeInstanceOf(ShuttingDownError);
    await closing;
  });

  it('transferLeadership is only for the acting leader and names a real node', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    await expect(cluster.transferLeadership('n2')).rejects.toBeInstanceOf(NotReadyError);
    engine.set(leaderView);
    await expect(cluster.transferLeadership('zz')).rejects.toMatchObject({ code: 'ERR_CLUSTER_NODE_NOT_FOUND' });
    await expect(cluster.transferLeadership('n1')).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ARGUMENT' });
    await cluster.transferLeadership('n2');
    expect(engine.resigned).toBe(1); // stopped acting and drained before the engine handed over
    engine.set(leaderView);
    await cluster.transferLeadership();
    expect(engine.transfers).toEqual(['n2', undefined]);
    await cluster.close();
  });

  it('isLeader() turns false when the lease runs out, even before the engine reports it', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    engine.set(leaderView);
    expect(cluster.isLeader()).toBe(true);
    engine.actingDeadline = performance.now() - 1; // the lease ended; the engine's timer is late
    expect(cluster.isLeader()).toBe(false);
    await cluster.close();
  });

  it('counts elections and leaderships in getStats', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    engine.set({ role: 'candidate', term: 1 });
    engine.set(leaderView);
    expect(cluster.getStats()).toMatchObject({ elections: 1, leaderships: 1, isLeader: true, term: 2, phase: 'running' });
    await cluster.close();
  });
});

describe('Job trackers', () => {
  it('run each callback to completion, in event order, before the next', async () => {
    const { cluster, engine } = scriptedCluster();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    cluster.addJobTracker({
      name: 'slow',
      onStartedLeading: async () => {
        log.push('start:begin');
        await gate;
        log.push('start:end');
      },
      onStoppedLeading: () => void log.push('stop'),
      onNewLeader: (leader) => void log.push(`leader:${leader}`),
      onReleaseMaster: () => void log.push('release'),
    });
    await cluster.startUp();
    engine.set(leaderView);
    await vi.waitFor(() => expect(log).toEqual(['start:begin']));
    engine.set({ acting: false, leaderName: undefined, role: 'follower' });
    await Promise.resolve();
    expect(log).toEqual(['start:begin']);
    release();
    await cluster.close();
    expect(log).toEqual(['start:begin', 'start:end', 'leader:n1', 'stop', 'release']);
  });

  it('abort the leader signal the moment leadership is lost, before callbacks run', async () => {
    const { cluster, engine } = scriptedCluster();
    let context: LeaderContext | undefined;
    cluster.addJobTracker({ name: 't', onStartedLeading: (ctx) => void (context = ctx) });
    await cluster.startUp();
    engine.set(leaderView);
    await new Promise((r) => setImmediate(r));
    expect(context).toMatchObject({ term: 2, fencingToken: 2 });
    expect(context!.signal.aborted).toBe(false);
    engine.set({ acting: false });
    expect(context!.signal.aborted).toBe(true);
    expect(context!.signal.reason).toMatchObject({ code: 'ERR_CLUSTER_LEADERSHIP_LOST' });
    await cluster.close();
  });

  it('a throwing callback is logged and does not stop other trackers or later callbacks', async () => {
    const logger = memoryLogger();
    const { cluster, engine } = scriptedCluster({ logger });
    const good: string[] = [];
    cluster.addJobTracker({ name: 'bad', onStartedLeading: () => { throw new Error('boom'); }, onStoppedLeading: () => void good.push('bad-stop') });
    cluster.addJobTracker({ name: 'good', onStartedLeading: () => void good.push('start') });
    await cluster.startUp();
    engine.set(leaderView);
    await cluster.close();
    expect(good).toEqual(['start', 'bad-stop']);
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('bad.onStartedLeading') && l.message.includes('boom'))).toBe(true);
  });

  it('a tracker added while leading catches up, and one removed while leading is stopped', async () => {
    const { cluster, engine } = scriptedCluster();
    await cluster.startUp();
    engine.set(leaderView);
    const log: string[] = [];
    const tracker = {
      name: 'late',
      onStartedLeading: (ctx: LeaderContext) => void log.push(`start:${ctx.term}`),
      onNewLeader: (name: string) => void log.push(`leader:${name}`),
      onStoppedLeading: () => void log.push('stop'),
    };
    cluster.addJobTracker(tracker);
    expect(() => cluster.addJobTracker(tracker)).toThrow(/already registered/);
    await cluster.removeJobTracker('late');
    expect(log).toEqual(['start:2', 'leader:n1', 'stop']);
    engine.set({ acting: false });
    await cluster.close();
    expect(log).toHaveLength(3);
  });
});

describe('enable: false', () => {
  it('starts nothing, is never ready, refuses calls and says so once', async () => {
    const logger = memoryLogger();
    const { cluster, types } = scriptedCluster({ enable: 'false', logger });
    await cluster.startUp();
    expect(cluster.isReady()).toBe(false);
    expect(cluster.getStats().phase).toBe('disabled');
    expect(logger.lines.filter((l) => l.message.includes('disabled'))).toHaveLength(1);
    await cluster.close();
    expect(types()).toEqual([]);
  });
});

describe('Leader work (DESIGN §3)', () => {
  afterEach(() => vi.useRealTimers());

  it('a job tick that comes due after a stall past the lease does not run, and the signal aborts first', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const clock = manualClock();
    const { cluster, engine, types } = scriptedCluster({}, clock);
    const ticks: number[] = [];
    let context: LeaderContext | undefined;
    new DefaultJobTracker({ ms: 100 }, cluster, {
      masterCall: (ctx) => void ((context = ctx), ticks.push(clock.now())),
      slaverCall: () => undefined,
    }).start();
    await cluster.startUp();
    engine.actingDeadline = clock.now() + 250; // the engine's lease; its own timer will come late
    engine.set(leaderView);
    for (let i = 0; i < 2; i++) {
      clock.advance(100);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(ticks).toHaveLength(2);
    expect(context!.signal.aborted).toBe(false);
    // SIGSTOP for 5 s, then SIGCONT: the job's overdue timer is the first thing to fire.
    clock.advance(5_000);
    await vi.advanceTimersByTimeAsync(100);
    expect(ticks).toHaveLength(2);
    expect(context!.signal.aborted).toBe(true);
    expect(cluster.isLeader()).toBe(false);
    expect(types()).toContain('StopMaster'); // the engine was asked to report the lapse
    await cluster.close();
  });

  it('isLeader() past the lease aborts the signal, even before any timer fires', async () => {
    const clock = manualClock();
    const { cluster, engine } = scriptedCluster({}, clock);
    let context: LeaderContext | undefined;
    cluster.addJobTracker({ name: 't', onStartedLeading: (ctx) => void (context = ctx) });
    await cluster.startUp();
    engine.actingDeadline = clock.now() + 250;
    engine.set(leaderView);
    await vi.waitFor(() => expect(context).toBeDefined());
    clock.advance(300);
    expect(context!.signal.aborted).toBe(false); // nothing has looked yet
    expect(cluster.isLeader()).toBe(false);
    expect(context!.signal.aborted).toBe(true);
    await cluster.close();
  });

  it('close() stops acting, waits for running leader jobs, and only then hands over', async () => {
    const { cluster, engine, types } = scriptedCluster();
    const order: string[] = [];
    let finish!: () => void;
    cluster.addJobTracker({
      name: 'feeder',
      onStartedLeading: () => new Promise<void>((r) => (finish = r)).then(() => void order.push('job ended')),
    });
    await cluster.startUp();
    engine.set(leaderView);
    await vi.waitFor(() => expect(finish).toBeDefined());
    const closing = cluster.close().then(() => void order.push('closed'));
    await vi.waitFor(() => expect(types()).toContain('StopMaster'));
    expect(engine.resigned).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(engine.stops).toEqual([]); // no hand-over while the job runs
    finish();
    await closing;
    expect(engine.stops).toEqual([true]);
    expect(order).toEqual(['job ended', 'closed']);
  });

  it('close() hands over after shutdownTimeoutMs when a job ignores its signal, naming it in a warning', async () => {
    const logger = memoryLogger();
    const { cluster, engine } = scriptedCluster({ shutdownTimeoutMs: 50, logger });
    const tracker = new DefaultJobTracker({ ms: 10 }, cluster, {
      masterCall: () => new Promise<void>(() => undefined), // never ends, ignores its signal
      slaverCall: () => undefined,
    }, { name: 'stubborn', runOnStart: true }).start();
    await cluster.startUp();
    engine.set(leaderView);
    await vi.waitFor(() => expect(tracker.skippedRuns).toBeGreaterThan(0));
    await cluster.close();
    expect(engine.stops).toEqual([true]);
    const warning = logger.lines.find((l) => l.level === 'warn' && l.message.includes('stubborn.masterCall'));
    expect(warning?.message).toMatch(/Handing leadership over after waiting 50 ms/);
  });

  it('transferLeadership() drains leader jobs before the engine hands over', async () => {
    const { cluster, engine } = scriptedCluster();
    let finish!: () => void;
    cluster.addJobTracker({ name: 'slow', onStartedLeading: () => new Promise<void>((r) => (finish = r)) });
    await cluster.startUp();
    engine.set(leaderView);
    await vi.waitFor(() => expect(finish).toBeDefined());
    const moving = cluster.transferLeadership('n2');
    await new Promise((r) => setImmediate(r));
    expect(cluster.isLeader()).toBe(false);
    expect(engine.transfers).toEqual([]);
    finish();
    await moving;
    expect(engine.transfers).toEqual(['n2']);
    await cluster.close();
  });

  it('StopMaster names the term that ended and ReleaseMaster the leader that was released', async () => {
    const { cluster, engine, events } = scriptedCluster();
    await cluster.startUp();
    engine.set({ term: 3, leaderName: 'n2' });
    engine.set({ term: 4, leaderName: 'n3' });
    engine.set(leaderView);
    engine.set({ ...leaderView, term: 5 }); // a leadership at term 2 seen ending as the term moves on
    engine.set({ role: 'follower', term: 6, leaderName: 'n2', acting: false, fencingToken: 0 });
    const pick = ({ type, term, leaderName }: ClusterEvent) => ({ type, term, leaderName });
    expect(events.map(pick).slice(1)).toEqual([
      { type: 'SignFollower', term: 3, leaderName: 'n2' },
      { type: 'ReleaseMaster', term: 3, leaderName: 'n2' },
      { type: 'SignFollower', term: 4, leaderName: 'n3' },
      { type: 'ReleaseMaster', term: 4, leaderName: 'n3' },
      { type: 'SignMaster', term: 2, leaderName: 'n1' },
      { type: 'StopMaster', term: 5, leaderName: 'n1' },
      { type: 'ReleaseMaster', term: 5, leaderName: 'n1' },
      { type: 'SignFollower', term: 6, leaderName: 'n2' },
    ]);
    await cluster.close();
  });
});

describe('Start failures', () => {
  it('the cluster starts its transport before the engine and closes it after the engine stopped', async () => {
    const { cluster, engine, transport } = scriptedCluster();
    const order: string[] = [];
    const start = engine.start.bind(engine);
    engine.start = async () => void (order.push(`engine start (transport started ${transport.started})`), await start());
    await cluster.startUp();
    expect(order).toEqual(['engine start (transport started 1)']);
    const stop = engine.stop.bind(engine);
    engine.stop = async (options) => void (order.push(`engine stop (transport closed ${transport.closed})`), await stop(options));
    await cluster.close();
    expect(order.at(-1)).toBe('engine stop (transport closed 0)');
    expect(transport.closed).toBe(1);
  });

  it('a failed startUp is final: a retry rejects with the same error instead of half-starting', async () => {
    const { cluster, engine, transport } = scriptedCluster();
    engine.failStart = new Error('EADDRINUSE');
    await expect(cluster.startUp()).rejects.toThrow('EADDRINUSE');
    expect(cluster.getStats().phase).toBe('failed');
    engine.failStart = undefined;
    await expect(cluster.startUp()).rejects.toThrow('EADDRINUSE');
    expect(engine.stops).toEqual([false]);
    expect(transport.closed).toBe(1);
    await cluster.close();
    expect(cluster.getStats().phase).toBe('closed');
  });

  it('an engine that stops on its own (storage failure) leaves the node failed, its leadership ended', async () => {
    const logger = memoryLogger();
    const { cluster, engine } = scriptedCluster({ logger });
    let context: LeaderContext | undefined;
    cluster.addJobTracker({ name: 't', onStartedLeading: (ctx) => void (context = ctx) });
    await cluster.startUp();
    engine.set(leaderView);
    await vi.waitFor(() => expect(context).toBeDefined());
    engine.fail(new Error('disk gone'));
    expect(context!.signal.aborted).toBe(true);
    expect(cluster.getStats().phase).toBe('failed');
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('disk gone'))).toBe(true);
    await cluster.close();
  });
});
