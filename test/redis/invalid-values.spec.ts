import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterEvent } from '../../lib/core/events.js';
import type { LeaseEngine } from '../../lib/core/election/lease/lease-engine.js';
import { MAX_TERM } from '../../lib/core/election/term-ceiling.js';
import { memoryLogger } from '../helpers/clusters.js';
import { FAST, RedisNodes, type RedisNode } from '../helpers/redis-nodes.js';
import { RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  const errors: unknown[] = [];
  while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
  if (errors.length > 0) throw errors[0];
});

const PATH = 'absurd';
const KEY = { leader: `{${PATH}}:leader`, epoch: `{${PATH}}:epoch`, events: `{${PATH}}:events` };

/** Three nodes on their own Redis, every event and view recorded, and a client to write bad values. */
async function setUp() {
  const server = await RedisServer.start();
  cleanups.push(() => server.dispose());
  const redis = new Redis(server.url);
  cleanups.push(async () => void redis.disconnect());
  const group = new RedisNodes({ redis: { url: server.url }, redisDiscovery: { dataPath: PATH } });
  const loggers = new Map<string, ReturnType<typeof memoryLogger>>();
  const events: ClusterEvent[] = [];
  const all = ['a', 'b', 'c'].map((name) => {
    const logger = memoryLogger();
    loggers.set(name, logger);
    const node = group.add(name, { logger });
    node.cluster.events$.subscribe((e) => events.push(e));
    return node;
  });
  cleanups.push(async () => {
    await group.closeAll();
    group.log.expectSafe(); // no two nodes ever acted at once, and tokens grew strictly
    expectOnlyValidTokens(group, events);
  });
  await Promise.all(all.map((n) => n.cluster.startUp()));
  const errorsNaming = (key: string) =>
    [...loggers.values()].flatMap((l) => l.lines).filter((l) => l.level === 'error' && l.message.includes(key));
  return { redis, group, all, errorsNaming };
}

function expectOnlyValidTokens(group: RedisNodes, events: ClusterEvent[]): void {
  const valid = (n: number) => Number.isSafeInteger(n) && n >= 0 && n <= MAX_TERM;
  for (const { node, view } of group.views) {
    expect(valid(view.term), `${node} reported term ${view.term}`).toBe(true);
    expect(valid(view.fencingToken), `${node} reported fencing token ${view.fencingToken}`).toBe(true);
    if (view.acting) expect(view.fencingToken).toBeGreaterThanOrEqual(1);
  }
  for (const e of events) expect(valid(e.term), `${e.nodeName} ${e.type} with term ${e.term}`).toBe(true);
}

/** Waits for the next leader: acting, followed by all, with a token above `after`. */
async function nextLeader(group: RedisNodes, all: RedisNode[], after: number): Promise<RedisNode> {
  await waitFor(() => all.some((n) => n.cluster.isLeader() && n.cluster.getMyTerm() > after), {
    timeoutMs: 20 * FAST.electionPeriod,
    what: `a leader with a token above ${after}`,
  });
  return group.settled(all, 20 * FAST.electionPeriod);
}

const bad = (token: string, node = '"x"') => `{"node":${node},"token":${token}}`;

describe('redis mode: invalid values in Redis are never adopted (issue #10 item 4)', () => {
  it('notices with absurd tokens or names change nothing: the leader keeps its lease and token', async () => {
    const { redis, group, all, errorsNaming } = await setUp();
    const leader = await group.settled(all);
    const token = leader.cluster.getMyTerm();
    const notices = [
      ...['1e300', '1e999', '-5', '1.5', '"7"', '0', '9007199254740993', String(2 ** 40)].map(
        (t) => `{"type":"acquired","node":"x","token":${t}}`,
      ),
      `{"type":"acquired","node":"","token":${token + 1}}`,
      `{"type":"acquired","node":"${'x'.repeat(1000)}","token":${token + 1}}`,
      `{"type":"released","node":"x","token":1e300}`,
      `{"type":"elected","node":"x","token":${token + 1}}`,
    ];
    for (const notice of notices) await redis.publish(KEY.events, notice);
    const rejected = (n: RedisNode) => (n.engine as LeaseEngine).invalidValues ?? 0;
    // Done when every node rejected every notice, or (a failure) once any node adopted one.
    await waitFor(() => all.every((n) => rejected(n) >= notices.length) || all.some((n) => n.cluster.getMyTerm() !== token), {
      what: 'every node to reject every notice',
    });
    expect(leader.cluster.isLeader()).toBe(true);
    expect(all.map((n) => n.cluster.getMyTerm())).toEqual([token, token, token]);
    expect(all.every((n) => n.cluster.getLeaderName() === leader.name)).toBe(true);
    expect(errorsNaming(KEY.events).length).toBeGreaterThanOrEqual(3); // once per node, rate-limited
    expect(errorsNaming(KEY.events).length).toBeLessThan(notices.length * 3);
  });

  it('an absurd leader key is quarantined for one period, then elections go on with growing tokens', async () => {
    const { redis, group, all, errorsNaming } = await setUp();
    let leader = await group.settled(all);
    const values: [string, 'PX' | 'none'][] = [
      [bad('1e999'), 'PX'],
      [bad('1e300'), 'PX'],
      [bad('-5'), 'PX'],
      [bad('1.5'), 'PX'],
      [bad('"7"'), 'PX'],
      [bad(String(2 ** 40)), 'PX'],
      [bad('9', '""'), 'PX'],
      ['Infinity', 'PX'],
      [bad('1e300'), 'none'], // no expiry: would block every election for good
      [bad('3'), 'none'],
    ];
    for (const [value, expiry] of values) {
      const token = leader.cluster.getMyTerm();
      if (expiry === 'PX') await redis.set(KEY.leader, value, 'PX', 2 * FAST.electionPeriod);
      else await redis.set(KEY.leader, value);
      leader = await nextLeader(group, all, token);
    }
    expect(errorsNaming(KEY.leader).length).toBeGreaterThan(0);
  });

  it('an absurd epoch is not adopted: the next acquisition starts again above the highest token seen', async () => {
    const { redis, group, all, errorsNaming } = await setUp();
    let leader = await group.settled(all);
    for (const epoch of ['Infinity', '1'.repeat(300), '-5', '1.5', 'abc', String(2 ** 53), String(2 ** 40)]) {
      const token = leader.cluster.getMyTerm();
      await redis.set(KEY.epoch, epoch);
      await redis.del(KEY.leader); // the leader loses its key; the next acquisition reads the epoch
      leader = await nextLeader(group, all, token);
      expect(leader.cluster.getMyTerm()).toBeLessThanOrEqual(token + 2);
    }
    expect(errorsNaming(KEY.epoch).length).toBeGreaterThan(0);
  });
});
