import { sleep } from './support/clock.js';
import { clusterSpecs, liferaftSpecs, NodeSet, type SeenEvent } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { target } from './support/targets.js';
import { electionStartOf, pathCounts, runTrials, type Trial } from './support/trials.js';

interface Config {
  readonly nodes: number;
  readonly electionTimeoutMs: number;
  readonly crashTrials: number;
  readonly gracefulTrials: number;
}

/** Issue #15: crash failover beside @markwylde/liferaft, at this T and node count. */
const BESIDE_LIFERAFT = { nodes: 3, electionTimeoutMs: 300 } as const;

/**
 * Cluster mode, nodes as processes: SIGKILL the acting leader at a random point of its heartbeat
 * cycle and time the next SignMaster on another node; SIGTERM it (the node calls close(), which
 * hands leadership over) and time the same. Times are on the shared clock (support/clock.ts).
 * Right after ours at 3 nodes and T = 300 ms, liferaft's SIGKILL failover the same way.
 */
export async function failoverBench(options: BenchOptions): Promise<void> {
  const configs: Config[] = options.smoke
    ? [{ nodes: 3, electionTimeoutMs: 300, crashTrials: 1, gracefulTrials: 1 }]
    : [
        { nodes: 3, electionTimeoutMs: 300, crashTrials: 30, gracefulTrials: 30 },
        { nodes: 5, electionTimeoutMs: 300, crashTrials: 30, gracefulTrials: 30 },
        { nodes: 3, electionTimeoutMs: 1000, crashTrials: 10, gracefulTrials: 5 },
        { nodes: 5, electionTimeoutMs: 1000, crashTrials: 10, gracefulTrials: 5 },
      ];
  const report = new Report('failover', 'Failover (cluster mode, nodes as processes)', options.out);
  const rows: string[][] = [];
  const details: string[] = [];
  const log = new Map<Config, readonly SeenEvent[]>();
  const results = new Map<Config, { crash: Trial[]; graceful: Trial[] }>();
  let liferaft: { config: Config; ours: Trial[]; theirs: Trial[] } | undefined;
  for (const config of configs) {
    const { crash, graceful, events } = await measure(config);
    log.set(config, events);
    results.set(config, { crash, graceful });
    if (config.nodes === BESIDE_LIFERAFT.nodes && config.electionTimeoutMs === BESIDE_LIFERAFT.electionTimeoutMs) {
      liferaft = { config, ours: crash, theirs: await measureLiferaft(config) };
    }
    const T = config.electionTimeoutMs;
    rows.push(row(config, 'SIGKILL leader', crash));
    rows.push(row(config, 'SIGTERM leader (close, hand-over)', graceful));
    details.push(`- ${config.nodes} nodes, T = ${T} ms, SIGKILL, ms per trial: ${crash.map((t) => (t.ms === undefined ? 'failed' : `${fmt(t.ms, 0)} (${t.path})`)).join(', ')}`);
    for (const t of [...crash, ...graceful].filter((t) => t.path === 'timer' || t.ms === undefined)) {
      details.push(`  - the ${fmt(t.ms ?? Number.NaN, 0)} ms trial, election events after the signal: ${electionTrace(log.get(config)!, t)}`);
    }
    if (!options.smoke) await sleep(200);
  }
  report.add(
    table(['nodes', 'T (ms)', 'what', 'trials', 'succeeded', 'p50 ms', 'p99 ms', 'max ms', 'p50 × T', 'p99 × T', 'max × T', 'path'], rows),
  );
  report.add(
    [
      'Clock: `performance.timeOrigin + performance.now()` in every process (the parent stamps the signal, the',
      'new leader stamps its SignMaster). T is the minimum election timeout (T_min); the heartbeat is T/10.',
      'Path: `peerLost` when the new leader started its election less than T/2 after the kill (the transport saw',
      'the connection close and a re-dial refused); `timer` when its election timer ran out; `transfer` for the',
      'graceful hand-over (TimeoutNow). Each trial restarts the old leader and waits until it follows, then',
      'T plus a uniform random part of one heartbeat interval before the next signal.',
      options.smoke ? '' : 'At the default T = 1000 ms fewer trials were run (10 SIGKILL, 5 SIGTERM) to keep the whole bench short.',
    ].filter(Boolean).join('\n'),
  );
  const lines = ['Targets at T = 300 ms:'];
  for (const config of configs.filter((c) => c.electionTimeoutMs === 300)) {
    const { crash, graceful } = results.get(config)!;
    const ok = crash.flatMap((t) => (t.ms === undefined ? [] : [t.ms]));
    const s = summarize(ok);
    const n = `${config.nodes} nodes`;
    lines.push(target(`${n}, SIGKILL p50`, s.p50, 270, 'at most', ' ms'));
    lines.push(target(`${n}, SIGKILL max`, s.max, 390, 'at most', ' ms'));
    lines.push(target(`${n}, SIGKILL trials that elected a new leader`, ok.length, crash.length, 'at least', '', 0));
    lines.push(target(`${n}, graceful hand-over gap p99`, summarize(graceful.flatMap((t) => (t.ms === undefined ? [] : [t.ms]))).p99, 30, 'at most', ' ms'));
  }
  report.add(lines.join('\n'));
  report.add(details.join('\n'));
  if (liferaft) besideLiferaft(report, liferaft.config, liferaft.ours, liferaft.theirs);
  report.save();
}

/** The table and targets of issue #15: our SIGKILL failover and liferaft's, from one run. */
function besideLiferaft(report: Report, config: Config, ours: readonly Trial[], theirs: readonly Trial[]): void {
  const T = config.electionTimeoutMs;
  const ms = (trials: readonly Trial[]) => summarize(trials.flatMap((t) => (t.ms === undefined ? [] : [t.ms])));
  const l = ms(theirs);
  const line = (system: string, trials: readonly Trial[]) => {
    const s = ms(trials);
    return [
      system, String(trials.length), String(s.n), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(s.p50 / T, 2), fmt(s.max / T, 2), fmt(s.p50 / l.p50, 2), fmt(s.max / l.max, 2),
      pathCounts(trials),
    ];
  };
  report.add(`### SIGKILL failover beside @markwylde/liferaft (${config.nodes} nodes, T = ${T} ms)`);
  report.add(
    table(
      ['system', 'trials', 'succeeded', 'p50 ms', 'p99 ms', 'max ms', 'p50 × T', 'max × T', 'p50 ÷ liferaft', 'max ÷ liferaft', 'path'],
      [line('nest-cluster', ours), line('liferaft', theirs)],
    ),
  );
  report.add(
    [
      'nest-cluster: the SIGKILL row above. liferaft: @markwylde/liferaft 1.4.0 run right after it, the same',
      `way (trials: ${theirs.length}; kill the leader T plus a random part of one heartbeat after the set settled, time the`,
      'next leader on another node, restart the old one), with `election min` T, `election max` 2T and',
      'heartbeat T/10 as ours, over the bench transport (`support/liferaft-transport.ts`). A liferaft',
      'follower only learns of the crash when its election timer runs out ([T, 2T] after the last heartbeat),',
      'and a liferaft node counts as leader once it has the votes (it has no lease to wait out; ours does).',
      `Per trial, ms: ${theirs.map((t) => (t.ms === undefined ? 'failed' : fmt(t.ms, 0))).join(', ')}`,
    ].join('\n'),
  );
  const s = ms(ours);
  report.add(
    [
      'Targets (issue #15):',
      target(`${config.nodes} nodes, SIGKILL p50 (0.6 T)`, s.p50, 0.6 * T, 'at most', ' ms'),
      target(`${config.nodes} nodes, SIGKILL max (0.6 T)`, s.max, 0.6 * T, 'at most', ' ms'),
      target(`${config.nodes} nodes, SIGKILL p50 (liferaft's p50 in this run)`, s.p50, l.p50, 'at most', ' ms'),
    ].join('\n'),
  );
}

/** liferaft's SIGKILL failover, as `measure` times ours (it has no hand-over to time). */
async function measureLiferaft(config: Config): Promise<Trial[]> {
  const T = config.electionTimeoutMs;
  const set = new NodeSet(liferaftSpecs(await freePorts(config.nodes), { electionTimeoutMs: T }));
  set.startAll();
  try {
    return await runTrials(set, {
      signal: 'SIGKILL',
      trials: config.crashTrials,
      settleMs: T,
      jitterMs: T / 10,
      timeoutMs: Math.max(10_000, 20 * T),
      classify: () => 'timer',
    });
  } finally {
    await set.stopAll();
  }
}

async function measure(config: Config): Promise<{ crash: Trial[]; graceful: Trial[]; events: readonly SeenEvent[] }> {
  const T = config.electionTimeoutMs;
  const hb = T / 10;
  const ports = await freePorts(config.nodes);
  const set = new NodeSet(clusterSpecs(ports, { electionTimeoutMs: T }));
  set.startAll();
  try {
    const common = { settleMs: T, jitterMs: hb, timeoutMs: Math.max(10_000, 20 * T) };
    const crash = await runTrials(set, {
      ...common,
      signal: 'SIGKILL',
      trials: config.crashTrials,
      classify: (at, winner, log) => {
        const start = electionStartOf(winner, at, log);
        return start && start.at - at < T / 2 ? 'peerLost' : 'timer';
      },
    });
    const graceful = await runTrials(set, {
      ...common,
      signal: 'SIGTERM',
      trials: config.gracefulTrials,
      classify: (at, winner, log) => {
        const start = electionStartOf(winner, at, log);
        return start && start.at - at < T / 2 ? 'transfer' : 'timer';
      },
    });
    return { crash, graceful, events: set.log };
  } finally {
    await set.stopAll();
  }
}

function row(config: Config, what: string, trials: readonly Trial[]): string[] {
  const T = config.electionTimeoutMs;
  const ok = trials.flatMap((t) => (t.ms === undefined ? [] : [t.ms]));
  const s = summarize(ok);
  return [
    String(config.nodes),
    String(T),
    what,
    String(trials.length),
    String(ok.length),
    fmt(s.p50),
    fmt(s.p99),
    fmt(s.max),
    fmt(s.p50 / T, 2),
    fmt(s.p99 / T, 2),
    fmt(s.max / T, 2),
    pathCounts(trials),
  ];
}

/** Who campaigned when, and in which term, from the signal to the first SignMaster after it. */
function electionTrace(events: readonly SeenEvent[], trial: Trial): string {
  const end = trial.signalAt + (trial.ms ?? 10_000);
  return events
    .filter((e) => e.at > trial.signalAt && e.at <= end && ['ElectionStart', 'ElectionFinish', 'SignMaster'].includes(e.event))
    .map((e) => `${e.node} ${e.event} +${fmt(e.at - trial.signalAt, 0)} ms (term ${e.term})`)
    .join(', ');
}
