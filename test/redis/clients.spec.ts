import { Cluster as RedisCluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCluster } from 'nest-cluster';
import { activeResources, leakedSince } from '../helpers/handles.js';
import { FAST, RedisNodes } from '../helpers/redis-nodes.js';
import { RedisClusterServers, RedisSentinel, RedisServer, rawCommand } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

let server: RedisServer;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.dispose();
});
afterEach(async () => {
  // Every cleanup runs, in reverse order, even when one fails (an unsafe log must not leak a server).
  const errors: unknown[] = [];
  while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
});

function group(options: ConstructorParameters<typeof RedisNodes>[0]): RedisNodes {
  const g = new RedisNodes(options);
  cleanups.push(async () => {
    await g.closeAll();
    g.log.expectSafe();
  });
  return g;
}

async function connectedClients(port: number): Promise<number> {
  const list = await rawCommand(port, 'CLIENT LIST');
  return list.split('\n').filter((line) => line.includes('id=')).length;
}

describe('redis mode: where the client comes from', () => {
  it('redis.url: the client we create, and its subscriber, are closed with the cluster', async () => {
    const before = activeResources();
    const cluster = createCluster({ mode: 'redis', nodeName: 'solo', logger: false, redis: { url: server.url }, redisDiscovery: { dataPath: 'by-url', ...FAST } });
    await cluster.startUp();
    await waitFor(() => cluster.isLeader(), { timeoutMs: 20 * FAST.electionPeriod, what: 'leadership' });
    await cluster.close();
    expect(leakedSince(before)).toEqual({});
  });

  it('redis.options with lazyConnect: connects at startUp and is closed with the cluster', async () => {
    const before = activeResources();
    const cluster = createCluster({
      mode: 'redis',
      nodeName: 'solo',
      logger: false,
      redis: { options: { host: '127.0.0.1', port: server.port, lazyConnect: true } },
      redisDiscovery: { dataPath: 'by-options', ...FAST },
    });
    await cluster.startUp();
    await waitFor(() => cluster.isLeader(), { timeoutMs: 20 * FAST.electionPeriod, what: 'leadership' });
    await cluster.close();
    expect(leakedSince(before)).toEqual({});
  });

  it('redis.client: a client we are given is used as is and left open; our subscriber is closed', async () => {
    const client = new Redis(server.url);
    cleanups.push(async () => void client.disconnect());
    await client.ping();
    const connectionsBefore = await connectedClients(server.port);
    const g = group({ redis: { client }, redisDiscovery: { dataPath: 'given' } });
    const all = await g.start('a', 'b');
    await g.settled(all);
    expect(await connectedClients(server.port)).toBe(connectionsBefore + all.length); // one subscriber each
    await g.closeAll();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    await waitFor(async () => (await connectedClients(server.port)) === connectionsBefore, { what: 'subscribers closed' });
    expect(client.listenerCount('error')).toBe(0); // nothing of ours stays attached to it
  });
});

describe('redis mode: Redis Cluster and Sentinel', () => {
  it('an ioredis Cluster client works: both keys share one slot, leaders hand over', async () => {
    const servers = await RedisClusterServers.start(3);
    cleanups.push(() => servers.dispose());
    const clients = [0, 1, 2].map(() => new RedisCluster(servers.nodes));
    cleanups.push(async () => clients.forEach((c) => c.disconnect()));
    const g = group({ redisDiscovery: { dataPath: 'on-cluster' } });
    const all = ['a', 'b', 'c'].map((name, i) => g.add(name, { redis: { client: clients[i]! } }));
    await Promise.all(all.map((n) => n.cluster.startUp()));
    const first = await g.settled(all, 40 * FAST.electionPeriod);
    const slot = (key: string) => clients[0]!.cluster('KEYSLOT', key);
    expect(await slot('{on-cluster}:leader')).toBe(await slot('{on-cluster}:epoch'));
    const closedAt = performance.now();
    await first.cluster.close();
    const second = await g.settled(all.filter((n) => n !== first), 40 * FAST.electionPeriod);
    console.info(`[report] Redis Cluster graceful hand-over: ${(performance.now() - closedAt).toFixed(1)} ms`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(first.cluster.getMyTerm());
  });

  it('a Sentinel-managed Redis works through redis.options { sentinels, name }', async () => {
    const sentinel = await RedisSentinel.start(server);
    cleanups.push(() => sentinel.dispose());
    const g = group({
      redis: { options: { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: sentinel.masterName } },
      redisDiscovery: { dataPath: 'via-sentinel' },
    });
    const all = await g.start('a', 'b');
    const first = await g.settled(all, 40 * FAST.electionPeriod);
    await first.cluster.close();
    await g.settled(all.filter((n) => n !== first), 40 * FAST.electionPeriod);
  });

  it('after a Sentinel failover the leader stops acting and the cluster elects again on the promoted replica', async () => {
    const master = await RedisServer.start();
    cleanups.push(() => master.dispose());
    const replica = await RedisServer.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    cleanups.push(() => replica.dispose());
    await waitFor(async () => (await rawCommand(replica.port, 'INFO replication')).includes('master_link_status:up'), {
      what: 'the replica to sync',
    });
    const sentinel = await RedisSentinel.start(master);
    cleanups.push(() => sentinel.dispose());
    await waitFor(async () => /slaves=1|replicas=1/.test(await rawCommand(sentinel.port, 'INFO sentinel')), {
      what: 'the sentinel to discover the replica',
    });
    const g = group({
      redis: { options: { sentinels: [{ host: '127.0.0.1', port: sentinel.port }], name: sentinel.masterName } },
      redisDiscovery: { dataPath: 'failover' },
    });
    const all = await g.start('a', 'b');
    const first = await g.settled(all, 40 * FAST.electionPeriod);
    const token = first.cluster.getMyTerm();
    await waitFor(async () => (await rawCommand(replica.port, 'GET {failover}:epoch')).includes(String(token)), {
      what: 'the epoch to reach the replica',
    });
    const killedAt = performance.now();
    await master.kill();
    await waitFor(() => !first.cluster.isLeader(), { what: 'the old leader to stop acting' });
    const second = await g.settled(all, 30_000);
    console.info(`[report] Sentinel failover: a leader again ${((performance.now() - killedAt) / FAST.electionPeriod).toFixed(1)} × electionPeriod after the master was killed`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
    expect(await rawCommand(replica.port, 'ROLE')).toMatch(/master/);
  });
});
