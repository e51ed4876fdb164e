import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../helpers/clusters.js';
import { activeResources, leakedSince } from '../helpers/handles.js';
import { FAST, RedisNodes } from '../helpers/redis-nodes.js';
import { freePort, rawCommand, RedisServer } from '../helpers/redis-server.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Every cleanup runs, in reverse order, even when one fails (an unsafe log must not leak a server).
  const errors: unknown[] = [];
  while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
});

async function serverAndNodes(options: { persistence?: boolean; logger?: ReturnType<typeof memoryLogger> } = {}) {
  const server = await RedisServer.start({ persistence: options.persistence });
  cleanups.push(() => server.dispose());
  const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: 'failures' } });
  cleanups.push(async () => {
    await group.closeAll();
    group.log.expectSafe();
  });
  const a = group.add('a', options.logger ? { logger: options.logger } : {});
  const rest = [group.add('b'), group.add('c')];
  const all = [a, ...rest];
  await Promise.all(all.map((n) => n.cluster.startUp()));
  return { server, group, all };
}

const noneActing = (group: RedisNodes) => () => group.acting().length === 0;
const periods = (ms: number) => (ms / FAST.electionPeriod).toFixed(2);

describe('redis mode: Redis failures', () => {
  for (const persistence of [false, true]) {
    it(`a leader stops acting when Redis dies, and the cluster elects again after a restart ${persistence ? 'with' : 'without'} persistence`, async () => {
      const logger = memoryLogger();
      const { server, group, all } = await serverAndNodes({ persistence, logger });
      const first = await group.settled(all);
      const token = first.cluster.getMyTerm();
      const killedAt = performance.now();
      await server.kill();
      await waitFor(noneActing(group), { timeoutMs: 10 * FAST.electionPeriod, what: 'the leader to stop acting' });
      console.info(`[report] Redis killed (persistence ${persistence}): leader stopped acting after ${periods(performance.now() - killedAt)} × electionPeriod`);
      // Followers forget the leader once its lease can no longer be valid.
      await waitFor(() => all.every((n) => n.cluster.getLeaderName() === undefined && !n.cluster.isReady()), {
        what: 'followers to forget the leader',
      });
      const restartedAt = performance.now();
      await server.restart();
      const second = await group.settled(all);
      console.info(`[report] Redis restarted (persistence ${persistence}): leader after ${periods(performance.now() - restartedAt)} × electionPeriod`);
      expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
      // One warning per failure kind, not one per renewal, then one line when Redis is back.
      const warnings = logger.lines.filter((l) => l.level === 'warn');
      expect(warnings.length).toBeLessThan(12);
      await waitFor(() => logger.lines.some((l) => /answers again/.test(l.message)), { what: 'the recovery line' });
    });
  }

  it('a Redis restarted empty within the lease lets nobody acquire before the old lease has run out', async () => {
    const { server, group, all } = await serverAndNodes();
    const first = await group.settled(all);
    const token = first.cluster.getMyTerm();
    await server.kill();
    await server.restart(); // no persistence: the key and the epoch are gone, the old leader may still act
    await waitFor(() => !first.cluster.isLeader(), { what: 'the old leader to find its key gone' });
    const second = await group.settled(all);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
    group.log.expectSafe(); // the old leader's acting interval ended before the new one began
  });

  it('a Redis that loses its data while the leader is cut off grants no lease until the old one has run out', async () => {
    const server = await RedisServer.start();
    cleanups.push(() => server.dispose());
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: server.port });
    cleanups.push(() => proxy.close());
    const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: 'lost' } });
    cleanups.push(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    // Only "a" is up at first, so it leads; its connection goes through the proxy.
    const a = group.add('a', { redis: { url: `redis://127.0.0.1:${proxy.port}` } });
    await a.cluster.startUp();
    await group.settled([a]);
    const others = await group.start('b', 'c');
    await group.settled([a, ...others]);
    // "a" is cut off, then Redis loses everything (a failover to an empty replica, a restart
    // without persistence): the key "a" still acts on is gone, and so is the epoch.
    proxy.setMode('hold');
    const direct = new Redis(server.url);
    cleanups.push(async () => void direct.disconnect());
    await direct.flushall();
    const second = await group.settled(others, 20 * FAST.electionPeriod);
    expect(a.cluster.isLeader()).toBe(false);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(1);
    group.log.expectSafe(); // without the quarantine, b or c would have acted while "a" still did
    proxy.setMode('pass');
    await group.settled([a, ...others]);
  });

  it('CLIENT PAUSE longer than the lease: the leader stops acting while Redis is still paused', async () => {
    const { server, group, all } = await serverAndNodes();
    const first = await group.settled(all);
    const pauseMs = 6 * FAST.electionPeriod;
    const pausedAt = performance.now();
    await server.pause(pauseMs);
    await waitFor(() => !first.cluster.isLeader(), { timeoutMs: pauseMs, what: 'the leader to stop acting' });
    const stoppedAfter = performance.now() - pausedAt;
    console.info(`[report] CLIENT PAUSE: leader stopped acting ${periods(stoppedAfter)} × electionPeriod after the pause began`);
    expect(stoppedAfter).toBeLessThan(pauseMs); // before Redis could even answer
    expect(group.acting()).toEqual([]);
    await group.settled(all);
  });
});

describe('redis mode: starting without Redis, and forgotten scripts', () => {
  it('nodes started while Redis is down elect a leader once it comes up, with no unhandled errors', async () => {
    const port = await freePort();
    const logger = memoryLogger();
    const group = new RedisNodes({ redis: { url: `redis://127.0.0.1:${port}` }, redisDiscovery: { dataPath: 'late' } });
    cleanups.push(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const a = group.add('a', { logger });
    const all = [a, group.add('b')];
    await Promise.all(all.map((n) => n.cluster.startUp())); // resolves: the engine keeps trying
    await waitFor(() => logger.lines.some((l) => l.level === 'warn'), { what: 'a warning about Redis' });
    expect(group.acting()).toEqual([]);
    const server = await RedisServer.start({ port });
    cleanups.push(() => server.dispose());
    await group.settled(all, 40 * FAST.electionPeriod);
    await waitFor(() => logger.lines.some((l) => /answers again/.test(l.message)), { what: 'the recovery line' });
    console.info(`[report] log while Redis was down, then up:\n  ${logger.lines.map((l) => `${l.level}: ${l.message}`).join('\n  ')}`);
  });

  it('closing while Redis is down finishes, and leaves no handles behind', async () => {
    const server = await RedisServer.start();
    cleanups.push(() => server.dispose());
    const before = activeResources();
    const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: 'close-down' } });
    const all = await group.start('a', 'b');
    await group.settled(all);
    await server.kill();
    await group.closeAll();
    group.log.expectSafe();
    expect(all.every((n) => !n.cluster.isLeader() && n.cluster.isClose())).toBe(true);
    expect(leakedSince(before)).toEqual({});
  });

  it('SCRIPT FLUSH: the scripts are sent again and the leader keeps its lease', async () => {
    const logger = memoryLogger();
    const { server, group, all } = await serverAndNodes({ logger });
    const first = await group.settled(all);
    const token = first.cluster.getMyTerm();
    expect(await rawCommand(server.port, 'SCRIPT FLUSH')).toMatch(/^\+OK/);
    const before = (await rawCommand(server.port, 'INFO stats')).match(/total_commands_processed:(\d+)/)![1];
    await waitFor(
      async () => Number((await rawCommand(server.port, 'INFO stats')).match(/total_commands_processed:(\d+)/)![1]) > Number(before) + 20,
      { what: 'a few rounds of renewals and attempts' },
    );
    expect(first.cluster.isLeader()).toBe(true);
    expect(first.cluster.getMyTerm()).toBe(token);
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('redis mode: foreign values in the key', () => {
  it('a foreign token is never renewed or deleted; the nodes wait for it to expire, then elect above it', async () => {
    const server = await RedisServer.start();
    cleanups.push(() => server.dispose());
    const redis = new Redis(server.url);
    cleanups.push(async () => void redis.disconnect());
    await redis.set('{foreign}:epoch', '41');
    await redis.set('{foreign}:leader', JSON.stringify({ node: 'intruder', token: 999 }), 'PX', 4 * FAST.electionPeriod);
    const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: 'foreign' } });
    cleanups.push(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const all = await group.start('a', 'b');
    await waitFor(() => all.every((n) => n.cluster.getLeaderName() === 'intruder'), { what: 'nodes to see the intruder' });
    expect(group.acting()).toEqual([]);
    expect(all[0]!.cluster.getLeaderNode()).toMatchObject({ name: 'intruder', alive: true, address: '' });
    const leader = await group.settled(all, 20 * FAST.electionPeriod);
    expect(leader.cluster.getMyTerm()).toBeGreaterThan(999); // the fencing floor carries the highest token seen
  });

  it('a leader whose key is overwritten stops acting at once and leaves the foreign value alone', async () => {
    const server = await RedisServer.start();
    cleanups.push(() => server.dispose());
    const redis = new Redis(server.url);
    cleanups.push(async () => void redis.disconnect());
    const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: 'overwritten' } });
    cleanups.push(async () => {
      await group.closeAll();
      group.log.expectSafe();
    });
    const all = await group.start('a', 'b');
    const first = await group.settled(all);
    const foreign = JSON.stringify({ node: 'intruder', token: 1_000_000 });
    await redis.set('{overwritten}:leader', foreign, 'PX', 6 * FAST.electionPeriod);
    await waitFor(() => !first.cluster.isLeader(), { what: 'the leader to notice it lost the key' });
    await waitFor(() => all.every((n) => n.cluster.getLeaderName() === 'intruder'), { what: 'nodes to see the intruder' });
    expect(await redis.get('{overwritten}:leader')).toBe(foreign);
    expect(await redis.pttl('{overwritten}:leader')).toBeLessThanOrEqual(6 * FAST.electionPeriod);
    // After the foreign lease expires, the cluster elects above its token.
    const next = await group.settled(all, 30 * FAST.electionPeriod);
    expect(next.cluster.getMyTerm()).toBeGreaterThan(1_000_000);
  });
});
