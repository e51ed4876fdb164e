import { sleep } from './support/clock.js';
import { clusterSpecs, NodeSet, type SeenEvent } from './support/node-set.js';
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

/**
 * Cluster mode, nodes as processes: SIGKILL the acting leader at a random point of its heartbeat
 * cycle and time the next SignMaster on another node; SIGTERM it (the node calls close(), which
 * hands leadership over) and time the same. Times are on the shared clock (support/clock.ts).
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
  for (const config of configs) {
    const { crash, graceful, events } = await measure(config);
    log.set(config, events);
    results.set(config, { crash, graceful });
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
  report.save();
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
