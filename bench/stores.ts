import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeSpec } from './nodes/node-messages.js';
import { sleep } from './support/clock.js';
import { kubeConfigFor, LeaseApiServer } from './support/lease-api-server.js';
import { hasMariadb, MariadbServer } from './support/mariadb-server.js';
import { NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { hasPostgres, PostgresServer } from './support/postgres-server.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { pathCounts, runTrials, type Trial } from './support/trials.js';

/** A database the bench starts, and how to count the statements it has run. */
interface BenchStore {
  readonly mode: 'postgres' | 'mysql' | 'kubernetes';
  readonly label: string;
  readonly url: string;
  /** Statements run so far, server-wide (including this count's own). */
  statements(): Promise<number>;
  /** Statements a call of `statements()` itself runs. */
  readonly countCost: number;
  stop(): Promise<void>;
}

async function postgres(): Promise<BenchStore> {
  const server = await PostgresServer.start();
  const count = async () => {
    const { rows } = await server.query('SELECT sum(xact_commit)::float8 AS n FROM pg_stat_database');
    return Number(rows[0]!.n);
  };
  return { mode: 'postgres', label: 'PostgreSQL 15', url: server.url, statements: count, countCost: 1, stop: () => server.dispose() };
}

async function mariadb(): Promise<BenchStore> {
  const server = await MariadbServer.start();
  const count = async () => Number(((await server.query("SHOW GLOBAL STATUS LIKE 'Questions'")) as { Value: string }[])[0]!.Value);
  return { mode: 'mysql', label: 'MariaDB 10.11', url: server.uri, statements: count, countCost: 1, stop: () => server.dispose() };
}

/**
 * Kubernetes mode against the tests' stand-in of the Lease endpoints (no API server here), through
 * a kubeconfig file, as a pod outside the cluster would load one. "Statements" are its requests.
 */
async function kubernetes(): Promise<BenchStore> {
  const server = await LeaseApiServer.start();
  const dir = await mkdtemp(join(tmpdir(), 'nest-cluster-bench-kube-'));
  const file = join(dir, 'kubeconfig.json');
  await writeFile(file, (await kubeConfigFor(server)).exportConfig());
  const count = async () => server.requests.get + server.requests.create + server.requests.update;
  const stop = async () => {
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  };
  return { mode: 'kubernetes', label: 'Kubernetes Lease (stand-in API server)', url: file, statements: count, countCost: 0, stop };
}

/**
 * The SQL lease stores, as the redis bench measures Redis: 3 nodes as processes against a
 * database the bench starts; SIGKILL the holder (its row must expire) and SIGTERM it (close()
 * releases the row: PostgreSQL NOTIFYs, MySQL followers poll). Then the idle load at the default
 * timings (15000 / 30000 / 10000 ms): statements per second per node, from the server's counters.
 */
export async function storesBench(options: BenchOptions): Promise<void> {
  const report = new Report('stores', 'PostgreSQL, MySQL and Kubernetes modes: failover against electionPeriod, idle load (3 processes)', options.out);
  const failover: string[][] = [];
  const idle: string[][] = [];
  const periods = options.smoke ? [1000] : [1000, 3000];
  const trials = options.smoke ? 1 : 8;
  // Smoke: PostgreSQL's failover only, so the smoke run of every bench stays within seconds.
  const stores = options.smoke
    ? [[hasPostgres, postgres] as const]
    : ([[hasPostgres, postgres], [hasMariadb, mariadb], [true, kubernetes]] as const);
  for (const [available, start] of stores) {
    if (!available) continue;
    const store = await start();
    try {
      for (const P of periods) {
        const interval = P / 2;
        const set = new NodeSet(nodes(store, { name: `bench-${P}`, electionInterval: interval, electionPeriod: P, syncLeaderInterval: interval }));
        set.startAll();
        try {
          const common = { settleMs: 100, jitterMs: interval, timeoutMs: 5 * P + 5000, trials };
          // MySQL and Kubernetes have no notices: a successor within one interval came from a poll after the release.
          const fast = store.mode === 'postgres' ? 'release notice' : 'poll after release';
          const byTime = (signalAt: number, winner: { at: number }) => (winner.at - signalAt < interval ? fast : 'lease expiry');
          const crash = await runTrials(set, { ...common, signal: 'SIGKILL', classify: byTime });
          const graceful = await runTrials(set, { ...common, signal: 'SIGTERM', classify: byTime });
          failover.push(row(store.label, P, 'SIGKILL holder', crash), row(store.label, P, 'SIGTERM holder (close, release)', graceful));
        } finally {
          await set.stopAll();
        }
      }
      if (!options.smoke) idle.push(await idleLoad(store, 30_000));
    } finally {
      await store.stop();
    }
  }
  if (failover.length === 0) report.add('Skipped: neither PostgreSQL 15 nor MariaDB is installed.');
  else {
    report.add(table(['store', 'electionPeriod ms', 'what', 'trials', 'succeeded', 'p50 ms', 'p99 ms', 'max ms', 'p50 × period', 'max × period', 'path'], failover));
    if (idle.length > 0) report.add(table(['store', 'nodes', 'window s', 'statements/s per node (default timings)'], idle));
    report.add(
      'Signal stamped by the bench, SignMaster by the new holder, on the shared clock; the signal comes at a random point of ' +
        "the holder's renewal interval. A crashed holder's row expires: expected up to electionPeriod + electionInterval. " +
        'Idle load counts every statement the server ran in the window (PostgreSQL: committed transactions; MariaDB: ' +
        '`Questions`; the Kubernetes stand-in: GET, POST and PUT requests), less those of the count itself, per node.',
    );
  }
  report.save();
}

function nodes(store: BenchStore, lease: NonNullable<NodeSpec['lease']>): NodeSpec[] {
  return ['s1', 's2', 's3'].map((name) => ({ name, mode: store.mode, storeUrl: store.url, lease }));
}

async function idleLoad(store: BenchStore, windowMs: number): Promise<string[]> {
  const set = new NodeSet(nodes(store, { name: 'bench-idle' }));
  set.startAll();
  try {
    // A fresh row is quarantined for one period (30 s) first; the window starts once the cluster settled.
    for (const deadline = performance.now() + 60_000; !set.settled(); await sleep(50)) {
      if (performance.now() > deadline) throw new Error(`bench: ${store.label} nodes did not elect a leader`);
    }
    const before = await store.statements();
    await sleep(windowMs);
    const after = await store.statements();
    return [store.label, '3', fmt(windowMs / 1000, 0), fmt((after - before - 2 * store.countCost) / (windowMs / 1000) / 3, 3)];
  } finally {
    await set.stopAll();
  }
}

function row(label: string, period: number, what: string, trials: readonly Trial[]): string[] {
  const ok = trials.flatMap((t) => (t.ms === undefined ? [] : [t.ms]));
  const s = summarize(ok);
  return [label, String(period), what, String(trials.length), String(ok.length), fmt(s.p50), fmt(s.p99), fmt(s.max), fmt(s.p50 / period, 2), fmt(s.max / period, 2), pathCounts(trials)];
}
