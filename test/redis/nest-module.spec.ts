import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterModule, ClusterService, MasterInterval, type LeaderContext } from 'nest-cluster';
import { ActingLog } from '../helpers/acting-log.js';
import { activeResources, leakedSince } from '../helpers/handles.js';
import { FAST } from '../helpers/redis-nodes.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server.dispose();
});

@Injectable()
class LeaderJobs {
  ticks = 0;
  tokens = new Set<number>();

  @MasterInterval({ ms: 20 })
  tick({ signal, fencingToken }: LeaderContext) {
    if (signal.aborted) throw new Error('ran without leadership');
    this.ticks++;
    this.tokens.add(fencingToken);
  }
}

async function app(name: string, clients: Redis[]): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ClusterModule.forRoot({
        mode: 'redis',
        nodeName: name,
        logger: false,
        redisDiscovery: { inject: 'REDIS', dataPath: 'nest-e2e', ...FAST },
      }),
    ],
    providers: [
      {
        provide: 'REDIS',
        useFactory: () => {
          const client = new Redis(server.url);
          clients.push(client);
          return client;
        },
      },
      LeaderJobs,
    ],
  }).compile();
  return moduleRef.init();
}

describe('redis mode in Nest', () => {
  it('redisDiscovery.inject uses the application\'s ioredis provider; @MasterInterval runs only on the leader', async () => {
    const before = activeResources();
    const clients: Redis[] = [];
    const apps = [await app('n1', clients), await app('n2', clients)];
    const services = apps.map((a) => a.get(ClusterService));
    const log = new ActingLog();
    services.forEach((s) => log.watch(s));
    const jobs = apps.map((a) => a.get(LeaderJobs));
    await waitFor(() => services.some((s) => s.isLeader()) && services.every((s) => s.isReady()), {
      timeoutMs: 20 * FAST.electionPeriod,
      what: 'a leader',
    });
    const leader = services.findIndex((s) => s.isLeader());
    const follower = 1 - leader;
    await waitFor(() => jobs[leader]!.ticks >= 3, { what: 'leader ticks' });
    expect(jobs[follower]!.ticks).toBe(0);
    expect(services[follower]!.getLeaderName()).toBe(services[leader]!.getMyName());
    await expect(services[follower]!.waitForLeader(1000)).resolves.toMatchObject({ name: services[leader]!.getMyName() });

    // The leader's app shuts down: it releases the lease and the other app's jobs take over.
    await apps[leader]!.close();
    await waitFor(() => jobs[follower]!.ticks >= 3, { timeoutMs: 20 * FAST.electionPeriod, what: 'the successor to tick' });
    expect(Math.min(...jobs[follower]!.tokens)).toBeGreaterThan(Math.max(...jobs[leader]!.tokens));
    await apps[follower]!.close();
    expect(log.count).toBeGreaterThanOrEqual(1);
    log.expectSafe();

    // The clients we were given stay open; only our subscriber connections were closed.
    for (const client of clients) {
      expect(client.status).toBe('ready');
      await client.ping();
      client.disconnect();
    }
    await waitFor(() => Object.keys(leakedSince(before)).length === 0, {
      timeoutMs: 2000,
      what: `no handles left (${JSON.stringify(leakedSince(before))})`,
    });
  });

  it('fails the boot with a clear message when the injected token has no provider', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ClusterModule.forRoot({ mode: 'redis', nodeName: 'x', logger: false, redisDiscovery: { inject: 'MISSING', ...FAST } })],
    }).compile();
    await expect(moduleRef.init()).rejects.toThrow(/redisDiscovery\.inject.*MISSING/);
    await moduleRef.close();
  });
});
