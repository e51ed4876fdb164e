import { clusterSpecs, NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';

/**
 * Three cluster-mode processes forked at once; time from the first fork to the first SignMaster,
 * process start (Node, module loading) included.
 */
export async function coldStartBench(options: BenchOptions): Promise<void> {
  const configs = options.smoke
    ? [{ electionTimeoutMs: 300, trials: 1 }]
    : [
        { electionTimeoutMs: 300, trials: 10 },
        { electionTimeoutMs: 1000, trials: 5 },
      ];
  const rows: string[][] = [];
  for (const { electionTimeoutMs: T, trials } of configs) {
    const started: number[] = [];
    const leader: number[] = [];
    for (let i = 0; i < trials; i++) {
      const set = new NodeSet(clusterSpecs(await freePorts(3), { electionTimeoutMs: T }));
      set.startAll();
      const t0 = Math.min(...set.names.map((n) => set.forkedAt(n)));
      try {
        const first = await set.until('the first SignMaster', () => set.firstEvent('SignMaster', t0), 30_000);
        leader.push(first.at - t0);
        const ready = await set.until('every node started', () => set.startedAll(), 30_000);
        started.push(ready - t0);
      } finally {
        await set.stopAll();
      }
    }
    const s = summarize(started);
    const l = summarize(leader);
    rows.push([String(T), String(trials), fmt(s.p50, 0), fmt(s.max, 0), fmt(l.p50, 0), fmt(l.max, 0), fmt(l.p50 / T, 2), fmt(l.max / T, 2)]);
  }
  const report = new Report('cold-start', 'Cold start to the first leader (3 processes)', options.out);
  report.add(
    table(['T (ms)', 'trials', 'all started p50 ms', 'all started max ms', 'first leader p50 ms', 'first leader max ms', 'p50 × T', 'max × T'], rows),
  );
  report.add(
    'From the first `fork()` to: every node\'s `startUp()` resolved (listening, dialling), and the first ' +
      'SignMaster. Without `dataDir` a fresh node stays out of elections for one T (DESIGN §4), then waits ' +
      'a random election timeout in [T, 2T) and the lease rules before acting.',
  );
  report.save();
}
