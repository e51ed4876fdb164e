import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeSpec } from './nodes/node-messages.js';
import { clusterSpecs, liferaftSpecs, NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { target } from './support/targets.js';

/**
 * What is started: ours without and with `dataDir`, loaded as a process without Nest loads it
 * (`nest-cluster/core`), ours loaded through the root entry (which brings @nestjs/core: the figure
 * a Nest app sees, though it loads Nest for itself anyway), and @markwylde/liferaft (issue #15).
 */
const SYSTEMS = ['nest-cluster/core', 'nest-cluster/core, dataDir, restart', 'nest-cluster (root entry)', 'liferaft'] as const;
type System = (typeof SYSTEMS)[number];
/** The rows held to the target; the root entry's row shows what loading Nest adds. */
const TARGETED: readonly System[] = ['nest-cluster/core', 'nest-cluster/core, dataDir, restart'];

/** One trial, every time in ms from the first fork. */
interface Sample {
  /** The last node's first line ran (Node is up, the package not yet loaded). */
  readonly loaded: number;
  /** The last node had loaded the package (ours: its entry; liferaft: it and the bench's transport). */
  readonly imported: number;
  /** The last node started (ours: `startUp()` resolved; liferaft: listening, timers running). */
  readonly started: number;
  /** The first ElectionStart on any node. */
  readonly electionStart: number;
  /** The first SignMaster on any node. */
  readonly leader: number;
}

/** The marks of one trial in the order they come, for the table of where the time goes. */
const MARKS = ['loaded', 'imported', 'started', 'electionStart', 'leader'] as const satisfies readonly (keyof Sample)[];

/**
 * Three processes forked at once; time from the first fork to the first SignMaster, process start
 * (Node, module loading) included: ours without `dataDir`, ours restarted with the `dataDir` of a
 * previous run, and liferaft at the same election timeout. The systems take turns within each
 * trial, in an order that rotates, so that a noisy neighbour hits all of them alike.
 */
export async function coldStartBench(options: BenchOptions): Promise<void> {
  const configs = options.smoke
    ? [{ electionTimeoutMs: 300, trials: 1 }]
    : [
        { electionTimeoutMs: 300, trials: 10 },
        { electionTimeoutMs: 1000, trials: 5 },
      ];
  const rows: string[][] = [];
  const phases: string[][] = [];
  const targets: string[] = [];
  for (const { electionTimeoutMs: T, trials } of configs) {
    const samples = new Map<System, Sample[]>(SYSTEMS.map((s) => [s, []]));
    for (let i = 0; i < trials; i++) {
      for (let k = 0; k < SYSTEMS.length; k++) {
        const system = SYSTEMS[(i + k) % SYSTEMS.length]!;
        samples.get(system)!.push(await trial(system, T));
      }
    }
    const theirs = summarize(samples.get('liferaft')!.map((s) => s.leader));
    for (const system of SYSTEMS) {
      const list = samples.get(system)!;
      const s = summarize(list.map((x) => x.started));
      const l = summarize(list.map((x) => x.leader));
      const e = summarize(list.map((x) => x.leader - x.started));
      rows.push([
        String(T), system, String(trials), fmt(s.p50, 0), fmt(s.max, 0), fmt(l.p50, 0), fmt(l.max, 0), fmt(e.p50, 0), fmt(e.max, 0), fmt(e.p50 / T, 2), fmt(e.max / T, 2),
        fmt(l.p50 / theirs.p50, 2), fmt(l.max / theirs.max, 2),
      ]);
      phases.push([String(T), system, ...MARKS.map((mark) => fmt(summarize(list.map((x) => x[mark])).p50, 0))]);
      if (TARGETED.includes(system)) targets.push(target(`T = ${T} ms, ${system}: first leader p50 (liferaft's p50 in this run)`, l.p50, theirs.p50, 'at most', ' ms', 0));
    }
  }
  const report = new Report('cold-start', 'Cold start to the first leader (3 processes)', options.out);
  report.add(
    table(
      [
        'T (ms)', 'system', 'trials', 'all started p50 ms', 'all started max ms', 'first leader p50 ms', 'first leader max ms', 'after all started p50 ms', 'max ms', 'p50 × T', 'max × T',
        'first leader p50 ÷ liferaft', 'max ÷ liferaft',
      ],
      rows,
    ),
  );
  report.add(
    [
      'From the first `fork()` to: every node\'s `startUp()` resolved (listening, dialling; liferaft: listening,',
      'its timers started), and the first SignMaster (liferaft: the first node to turn leader); "after all',
      'started" is the second minus the first (the election itself; × T columns), negative when two nodes',
      'elected a leader before the third had started. Without `dataDir` a fresh node stays out of',
      'elections for one T from its process\'s start (DESIGN §4, incarnation.ts); once connected to a quorum',
      'it campaigns in node-list order, half a heartbeat apart (issue #15), then waits out what is left of',
      'the lease its voters may have granted before their processes started.',
      '"dataDir, restart": each trial first runs the three nodes once with a fresh temp `dataDir` until a',
      'leader acts, stops them (SIGTERM), and times the restart on the same ports, when term and vote load',
      'from disk and no node has to stay out of elections.',
      `liferaft: @markwylde/liferaft 1.4.0 with \`election min\` = T and \`election max\` = 2T (its timeout is`,
      'uniform in [T, 2T], ours in [T, 2T)), heartbeat T/10 as ours (its default is 50 ms), over a TCP',
      'transport written for the bench after its example (`support/liferaft-transport.ts`: one kept',
      'connection per peer, length-prefixed msgpackr frames, each packet sent once). It has no PreVote, no',
      'restart rule and no lease: a node counts as leader the moment it has the votes, where ours',
      'SignMasters only once it may act. Ratios: ours ÷ liferaft in the same run, at the same T.',
    ].join('\n'),
  );
  report.add(
    table(['T (ms)', 'system', 'processes up p50 ms', 'package loaded p50 ms', 'all started p50 ms', 'first ElectionStart p50 ms', 'first leader p50 ms'], phases),
  );
  report.add(
    'Where the time goes, from the first `fork()` (p50 of each mark over the trials): every process up ' +
      '(its first line ran, before the package loaded), every process done loading the package (ours: ' +
      '`import(\'nest-cluster/core\')`, or `import(\'nest-cluster\')` for the root entry, which loads ' +
      '@nestjs/core; liferaft: the package and the ' +
      'bench transport), every node started, the first node to campaign ' +
      '(ours: PreVote; liferaft: candidate), the first leader.',
  );
  report.add(['Targets (issue #15):', ...targets].join('\n'));
  report.save();
}

async function trial(system: System, T: number): Promise<Sample> {
  const ports = await freePorts(3);
  if (system === 'liferaft') return time(liferaftSpecs(ports, { electionTimeoutMs: T }));
  if (system === 'nest-cluster/core') return time(clusterSpecs(ports, { electionTimeoutMs: T }));
  if (system === 'nest-cluster (root entry)') return time(clusterSpecs(ports, { electionTimeoutMs: T, entry: 'root' }));
  const dataDir = mkdtempSync(join(tmpdir(), 'nest-cluster-bench-cold-'));
  try {
    const specs = clusterSpecs(ports, { electionTimeoutMs: T, dataDir });
    await time(specs);
    return await time(specs);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Forks the set, waits for its first leader and every node started, stops it. */
async function time(specs: readonly NodeSpec[]): Promise<Sample> {
  const set = new NodeSet(specs);
  set.startAll();
  const t0 = Math.min(...set.names.map((n) => set.forkedAt(n)));
  try {
    const first = await set.until('the first SignMaster', () => set.firstEvent('SignMaster', t0), 30_000);
    const started = await set.until('every node started', () => set.startedAll(), 30_000);
    return {
      loaded: set.loadedAll()! - t0,
      imported: set.importedAll()! - t0,
      started: started - t0,
      electionStart: (set.firstEvent('ElectionStart', t0)?.at ?? Number.NaN) - t0,
      leader: first.at - t0,
    };
  } finally {
    await set.stopAll();
  }
}
