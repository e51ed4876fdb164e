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
    /** First leader after the last node started: the election itself, process start left out. */
    const election: number[] = [];
    for (let i = 0; i < trials; i++) {
      const set = new NodeSet(clusterSpecs(await freePorts(3), { electionTimeoutMs: T }));
      set.startAll();
      const t0 = Math.min(...set.names.map((n) => set.forkedAt(n)));
      try {
        const first = await set.until('the first SignMaster', () => set.firstEvent('SignMaster', t0), 30_000);
        leader.push(first.at - t0);
        const ready = await set.until('every node started', () => set.startedAll(), 30_000);
        started.push(ready - t0);
        election.push(first.at - ready);
      } finally {
        await set.stopAll();
      }
    }
    const s = summarize(started);
    const l = summarize(leader);
    const e = summarize(election);
    rows.push([
      String(T), String(trials), fmt(s.p50, 0), fmt(s.max, 0), fmt(l.p50, 0), fmt(l.max, 0), fmt(e.p50, 0), fmt(e.max, 0), fmt(e.p50 / T, 2), fmt(e.max / T, 2),
    ]);
  }
  const report = new Report('cold-start', 'Cold start to the first leader (3 processes)', options.out);
  report.add(
    table(
      ['T (ms)', 'trials', 'all started p50 ms', 'all started max ms', 'first leader p50 ms', 'first leader max ms', 'after all started p50 ms', 'max ms', 'p50 × T', 'max × T'],
      rows,
    ),
  );
  report.add(
    'From the first `fork()` to: every node\'s `startUp()` resolved (listening, dialling), and the first ' +
      'SignMaster; "after all started" is the second minus the first (the election itself; × T columns). ' +
      'Without `dataDir` a fresh node stays out of elections for one T (DESIGN §4); once connected to a ' +
      'quorum it campaigns in node-list order, half a heartbeat apart (issue #15), then waits out the ' +
      'lease rules before acting.',
  );
  report.save();
}
