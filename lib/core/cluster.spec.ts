import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryLogger, scriptedCluster } from '../../test/helpers/clusters.js';
import { NotReadyError, ShuttingDownError, TimeoutError } from './errors.js';
import type { ClusterState } from './events.js';
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

  it('every SignMaster is followed by exactly one StopMaster, for any sequence of views', async () => {
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
        expect(calls.length).toBe(leadership.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Cluster queries', () => {
  it('reports nodes, liveness and readiness as the engine reports them', async () => {
    const { cluster, engine } = scriptedCluster();
    expect(cluster.getAllNodeNames()).toEqual(['n1', 'n2', 'n3']);
    expect(cluster.getAllNodeCount()).toBe(3);
    expect(cluster.getMyName()).toBe('n1');
    expect(cluster.getMyAddress()).toBe('127.0.0.1:7001');
    engine.alive.add('n3');
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
    expect(logger.lines.some((l) => l.level === 'error' && l.message.includes('"bad"') && l.message.includes('boom'))).toBe(true);
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
