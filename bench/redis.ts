import type { NodeSpec } from './nodes/node-messages.js';
import { NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts } from './support/processes.js';
import { BenchRedis, haveRedisServer } from './support/redis-server.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { pathCounts, runTrials, type Trial } from './support/trials.js';

interface Config {
  readonly electionPeriod: number;
  readonly crashTrials: number;
  readonly gracefulTrials: number;
}

/**
 * Redis mode, 3 nodes as processes and a redis-server of our own: SIGKILL the lease holder (its
 * key must expire) and SIGTERM it (close() deletes the key and publishes `released`); time to the
 * next SignMaster, against electionPeriod. electionInterval and syncLeaderInterval are half of it,
 * the default ratio.
 */
export async function redisBench(options: BenchOptions): Promise<void> {
  const report = new Report('redis', 'Redis mode: failover against electionPeriod (3 processes)', options.out);
  if (!haveRedisServer()) {
    report.add('Skipped: no `redis-server` on PATH.');
    report.save();
    return;
  }
  const configs: Config[] = options.smoke
    ? [{ electionPeriod: 1000, crashTrials: 1, gracefulTrials: 1 }]
    : [
        { electionPeriod: 1000, crashTrials: 10, gracefulTrials: 10 },
        { electionPeriod: 3000, crashTrials: 4, gracefulTrials: 4 },
      ];
  const [port] = await freePorts(1);
  const redis = await BenchRedis.start(port!);
  const rows: string[][] = [];
  try {
    for (const config of configs) {
      const P = config.electionPeriod;
      const interval = P / 2;
      const ports = await freePorts(3);
      const specs: NodeSpec[] = ports.map((_, i) => ({
        name: `r${i + 1}`,
        mode: 'redis',
        redisUrl: redis.url,
        redisDiscovery: { dataPath: `bench-${P}-${process.pid}`, electionInterval: interval, electionPeriod: P, syncLeaderInterval: interval },
      }));
      const set = new NodeSet(specs);
      set.startAll();
      try {
        const common = { settleMs: 100, jitterMs: interval, timeoutMs: 5 * P + 5000 };
        const byTime = (signalAt: number, winner: { at: number }) => (winner.at - signalAt < interval ? 'release notice' : 'lease expiry');
        const crash = await runTrials(set, { ...common, signal: 'SIGKILL', trials: config.crashTrials, classify: byTime });
        const graceful = await runTrials(set, { ...common, signal: 'SIGTERM', trials: config.gracefulTrials, classify: byTime });
        rows.push(row(P, 'SIGKILL holder', crash), row(P, 'SIGTERM holder (close, release)', graceful));
      } finally {
        await set.stopAll();
      }
    }
  } finally {
    await redis.stop();
  }
  report.add(table(['electionPeriod ms', 'what', 'trials', 'succeeded', 'p50 ms', 'p99 ms', 'max ms', 'p50 × period', 'max × period', 'path'], rows));
  report.add(
    'Signal stamped by the bench, SignMaster stamped by the new holder, both on `performance.timeOrigin + ' +
      'performance.now()`. The signal comes at a uniformly random point of the holder\'s renewal interval. ' +
      'Path by time: under one electionInterval only the `released` notice can explain it; otherwise the ' +
      'key expired and a follower\'s next attempt took it (expected: up to electionPeriod + electionInterval).',
  );
  report.save();
}

function row(period: number, what: string, trials: readonly Trial[]): string[] {
  const ok = trials.flatMap((t) => (t.ms === undefined ? [] : [t.ms]));
  const s = summarize(ok);
  return [String(period), what, String(trials.length), String(ok.length), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(s.p50 / period, 2), fmt(s.max / period, 2), pathCounts(trials)];
}
