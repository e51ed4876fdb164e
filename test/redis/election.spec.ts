import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createCluster, newFuncSpec } from 'nest-cluster';
import { freePorts } from '../helpers/ports.js';
import { FAST, RedisNodes, redisSuite } from '../helpers/redis-nodes.js';
import { waitFor } from '../helpers/wait-for.js';
import { leaseKeys } from '../../lib/core/election/lease/stores/redis/lease-keys.js';

const suite = redisSuite('election');
const nodes = suite.nodes;

describe('redis mode: election', () => {
  it('three nodes sharing one Redis elect exactly one acting leader, followed by the others', async () => {
    const g = nodes();
    const all = await g.start('a', 'b', 'c');
    const leader = await g.settled(all);
    expect(g.acting()).toEqual([leader]);
    const followers = all.filter((n) => n !== leader);
    for (const f of followers) {
      expect(f.cluster.isFollower()).toBe(true);
      expect(f.cluster.isReady()).toBe(true);
      expect(f.cluster.getMyTerm()).toBe(leader.cluster.getMyTerm());
      expect(f.cluster.getAliveNodeNames()).toContain(f.name);
    }
    expect(leader.cluster.isReady()).toBe(true);
    expect(leader.cluster.getLeaderName()).toBe(leader.name);
  });

  it('each node reports the seed events: an election while no holder is known, then SignMaster or SignFollower', async () => {
    const g = nodes();
    const all = ['a', 'b', 'c'].map((name) => g.add(name));
    const types = all.map((n) => {
      const seen: string[] = [];
      n.cluster.events$.subscribe((e) => seen.push(e.type));
      return seen;
    });
    await Promise.all(all.map((n) => n.cluster.startUp()));
    const leader = await g.settled(all);
    all.forEach((n, i) => {
      const last = n === leader ? 'SignMaster' : 'SignFollower';
      expect(types[i]!.slice(0, 3)).toEqual(['StartUp', 'ElectionStart', 'ElectionFinish']);
      expect(types[i]!.at(-1)).toBe(last);
      expect(n.cluster.isFighting()).toBe(false);
    });
  });

  it('after a holder crash the key expires and a successor takes over, with a larger fencing token', async () => {
    const g = nodes();
    const all = await g.start('a', 'b', 'c');
    const first = await g.settled(all);
    const token = first.cluster.getMyTerm();
    const crashedAt = performance.now();
    await g.crash(first);
    const rest = all.filter((n) => n !== first);
    const second = await g.settled(rest);
    console.info(`[report] crash failover: ${((performance.now() - crashedAt) / FAST.electionPeriod).toFixed(2)} × electionPeriod`);
    expect(second).not.toBe(first);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(token);
  });

  it('a graceful close deletes the key and a waiting follower takes over at once', async () => {
    const g = nodes();
    const all = await g.start('a', 'b', 'c');
    const first = await g.settled(all);
    const closedAt = performance.now();
    await first.cluster.close();
    const second = await g.settled(all.filter((n) => n !== first));
    console.info(`[report] graceful hand-over: ${(performance.now() - closedAt).toFixed(1)} ms = ${((performance.now() - closedAt) / FAST.electionInterval).toFixed(2)} × electionInterval`);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(first.cluster.getMyTerm());
  });

  it('a graceful close keeps renewing the lease while a leader job drains, so the successor starts after it', async () => {
    const g = nodes();
    const all = await g.start('a', 'b', 'c');
    const first = await g.settled(all);
    let jobEndedAt = Number.POSITIVE_INFINITY;
    let finish: (() => void) | undefined;
    first.cluster.addJobTracker({
      name: 'slow',
      // A job that ignores its signal and ends only when the test lets it.
      onStartedLeading: async () => {
        await new Promise<void>((resolve) => (finish = resolve));
        jobEndedAt = performance.now();
      },
    });
    await waitFor(() => finish !== undefined, { what: 'the slow job to start' });
    const closing = first.cluster.close();
    // While the job drains, the old leader keeps renewing: its key is refreshed again and again
    // (its TTL jumps back up), which lasts past any single lease, and nobody else acts meanwhile.
    const redis = new Redis(suite.server().url);
    const key = leaseKeys(suite.dataPath()).leader;
    let lastTtl = Number.POSITIVE_INFINITY;
    let renewals = 0;
    try {
      await waitFor(
        async () => {
          const [value, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
          expect(JSON.parse(value!).node).toBe(first.name);
          expect(g.acting()).toEqual([]);
          if (ttl > lastTtl) renewals++;
          lastTtl = ttl;
          return renewals >= Math.ceil(FAST.electionPeriod / FAST.electionInterval) + 1;
        },
        { what: 'the draining leader to renew its lease past one whole period' },
      );
    } finally {
      redis.disconnect();
    }
    finish!();
    const rest = all.filter((n) => n !== first);
    const second = await g.settled(rest);
    await closing;
    const successor = g.log.intervals().find((i) => i.node === second.name)!;
    expect(successor.from).toBeGreaterThanOrEqual(jobEndedAt);
    expect(second.cluster.getMyTerm()).toBeGreaterThan(first.cluster.getMyTerm());
  });

  it('transferLeadership releases the lease to the named node', async () => {
    const g = nodes();
    const ports = await freePorts(3);
    const list = ['a', 'b', 'c'].map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! }));
    // The named node reacts to the release notice at once, the others at their next attempt: a
    // head start of up to one interval (README). With FAST's 150 ms a loaded machine could let a
    // competitor's attempt land within the target's notice latency; 1 s makes that window small.
    const slow = { redisDiscovery: { electionInterval: 1000, electionPeriod: 3000, syncLeaderInterval: 1000 } };
    const all = ['a', 'b', 'c'].map((name) => g.add(name, { nodes: list, ...slow }));
    await Promise.all(all.map((n) => n.cluster.startUp()));
    const first = await g.settled(all);
    const target = all.find((n) => n !== first)!;
    await first.cluster.transferLeadership(target.name);
    const second = await g.settled(all);
    expect(second).toBe(target);
  });

  it("the guide's Redis 模式 example: nodes listed with addresses, dataPath with slashes, the given client", async () => {
    nodes(); // nothing in the shared group; this test builds the guide's two clusters itself
    const redisClient = new Redis(suite.server().url);
    const [port1, port2] = await freePorts(2);
    const config = (nodeName: string) => ({
      mode: 'redis' as const,
      enable: 'true' as const,
      nodeName,
      logger: false as const,
      // The guide's 5 s / 10 s / 5 s, in the same ratios at test speed (milliseconds here).
      redisDiscovery: { dataPath: '/cluster/election', electionInterval: 150, electionPeriod: 300, syncLeaderInterval: 150 },
      nodes: [
        { name: 'node1', ip: '127.0.0.1', port: port1! },
        { name: 'node2', ip: '127.0.0.1', port: port2! },
      ],
      redis: { client: redisClient },
    });
    const node1 = createCluster(config('node1'));
    const node2 = createCluster(config('node2'));
    try {
      await Promise.all([node1.startUp(), node2.startUp()]);
      const leader = await node1.waitForLeader(10_000);
      await expect(node2.waitForLeader(10_000)).resolves.toMatchObject({ name: leader.name, address: leader.address });
      expect([node1.isLeader(), node2.isLeader()].filter(Boolean)).toHaveLength(1);
      expect([`127.0.0.1:${port1}`, `127.0.0.1:${port2}`]).toContain(leader.address);
      // Nodes with addresses serve remote calls over TCP in redis mode too.
      node1.registerFunc('whoami', () => 'node1');
      await expect(node2.callFunc(newFuncSpec('node1', 'whoami', null))).resolves.toBe('node1');
      await waitFor(() => node2.getAliveNodeNames().length === 2, { what: 'the nodes to connect' });
      expect(await redisClient.exists('{/cluster/election}:leader')).toBe(1);
    } finally {
      await Promise.all([node1.close(), node2.close()]);
      redisClient.disconnect();
    }
  });

  it('two clusters with different dataPath on one Redis stay isolated', async () => {
    const g = nodes();
    const other = new RedisNodes({ redis: { url: suite.server().url }, redisDiscovery: { dataPath: `${suite.dataPath()}-other` } });
    try {
      await isolated(g, other);
    } finally {
      await other.closeAll();
      other.log.expectSafe();
    }
  });
});

async function isolated(g: RedisNodes, other: RedisNodes): Promise<void> {
  {
    const [a1, a2] = await g.start('a1', 'a2');
    const [b1, b2] = await other.start('b1', 'b2');
    const leaderA = await g.settled([a1!, a2!]);
    const leaderB = await other.settled([b1!, b2!]);
    expect(a1!.cluster.getLeaderNode()).toMatchObject({ name: leaderA.name, alive: true });
    expect([...g.acting(), ...other.acting()]).toEqual([leaderA, leaderB]);
    const redis = new Redis(suite.server().url);
    try {
      const keys = (await redis.keys('*')).sort();
      expect(keys).toEqual(expect.arrayContaining([`{${suite.dataPath()}}:leader`, `{${suite.dataPath()}-other}:leader`]));
    } finally {
      redis.disconnect();
    }
    // Closing one cluster's leader never disturbs the other cluster.
    await leaderA.cluster.close();
    await g.settled([a1!, a2!].filter((n) => n !== leaderA));
    expect(leaderB.cluster.isLeader()).toBe(true);
  }
}
