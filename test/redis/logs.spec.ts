import { describe, expect, it } from 'vitest';
import { memoryLogger } from '../helpers/clusters.js';
import { redisSuite } from '../helpers/redis-nodes.js';
import { waitFor } from '../helpers/wait-for.js';

const suite = redisSuite('logs');
const nodes = suite.nodes;

const messages = (logger: ReturnType<typeof memoryLogger>, level: string) =>
  logger.lines.filter((l) => l.level === level).map((l) => l.message);
const sameName = /^Redis lease: another process holds the lease under this node's name "a" \(token \d+\), so this one can neither lead nor follow it\. Give every process its own `nodeName` or CLUSTER_NODE_NAME \(the default is the host name\)\.$/;

describe('redis mode: what the log says (issue #12)', () => {
  it('explains the first election’s wait on a fresh store once, then names the leader and its term', async () => {
    const group = nodes();
    const aLog = memoryLogger();
    const bLog = memoryLogger();
    const a = group.add('a', { logger: aLog });
    const b = group.add('b', { logger: bLog });
    await Promise.all([a.cluster.startUp(), b.cluster.startUp()]);
    const leader = await group.settled();
    const term = leader.cluster.getMyTerm();
    for (const log of [aLog, bLog]) {
      const lines = messages(log, 'log');
      const waits = lines.filter((m) => m.includes('no node may lead'));
      expect(waits).toHaveLength(1);
      expect(waits[0]).toMatch(
        /^Redis lease: no node may lead for another 0\.\d s: the store had no valid fencing epoch \(a new or emptied store, or an invalid value\), so the leader key is quarantined for one electionPeriod \(0\.5 s\) in case a leader still acts on the lost lease\.$/,
      );
      const self = log === aLog ? 'a' : 'b';
      const said = leader.name === self
        ? `Leadership: "${self}" (this node) leads, term ${term}.`
        : `Leadership: "${leader.name}" leads, term ${term}; "${self}" follows.`;
      expect(lines).toContain(said);
      expect(lines.indexOf(said)).toBeGreaterThan(lines.indexOf(waits[0]!));
    }
  });

  it('warns when a second process renews the lease under this node’s name', async () => {
    const group = nodes();
    const first = group.add('a');
    await first.cluster.startUp();
    await group.settled([first]);
    const twinLog = memoryLogger();
    const twin = group.add('a', { logger: twinLog });
    await twin.cluster.startUp();
    await waitFor(() => messages(twinLog, 'warn').some((m) => sameName.test(m)), { what: 'the same-name warning' });
    expect(twin.cluster.isReady()).toBe(false);
  });

  it('warns at once when a process under this node’s name acquires after this one started', async () => {
    const group = nodes();
    const logs = [memoryLogger(), memoryLogger()];
    const twins = logs.map((logger) => group.add('a', { logger }));
    await Promise.all(twins.map((t) => t.cluster.startUp()));
    await waitFor(() => twins.some((t) => t.cluster.isLeader()), { what: 'one of the twins to lead' });
    const loser = twins.findIndex((t) => !t.cluster.isLeader());
    await waitFor(() => messages(logs[loser]!, 'warn').some((m) => sameName.test(m)), { what: 'the loser to warn' });
    expect(messages(logs[1 - loser]!, 'warn').filter((m) => sameName.test(m))).toEqual([]);
  });

  it('does not take a lease left by this node’s previous run for a second process', async () => {
    const group = nodes();
    const before = group.add('a');
    await before.cluster.startUp();
    await group.settled([before]);
    await group.crash(before); // the key stays until it expires, as after a killed process
    const afterLog = memoryLogger();
    const restarted = group.add('a', { logger: afterLog });
    await restarted.cluster.startUp();
    await waitFor(() => restarted.cluster.isLeader(), { what: 'the restarted node to lead once the old key expired' });
    expect(messages(afterLog, 'warn').filter((m) => sameName.test(m))).toEqual([]);
  });
});
