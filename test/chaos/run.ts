import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChaosNode } from './chaos-node.js';
import { hold, hostNow } from './clock.js';
import { HARNESS, type NodeSpec } from './facts.js';
import { chooseNemesis, type NemesisContext } from './nemeses.js';
import { ChaosNetwork } from './network.js';
import { judge, type Verdict, type Violation } from './oracle.js';
import type { ChaosOptions } from './options.js';
import { Prng } from '../sim/prng.js';
import { RedisMember } from './redis-member.js';
import { excerpt, nemesisAt } from './report.js';
import { Timeline } from './timeline.js';

const NODE_PORT = 7000;
const REDIS = 'redis';
/** Liveness bound per heal: past this the cycle counts as unrecovered and the run goes on. */
const RECOVERY_DEADLINE_T = 60;

/** Everything a run started, for cleanup on any exit path. */
export interface RunResources {
  readonly network: ChaosNetwork;
  readonly nodes: ChaosNode[];
  redis?: RedisMember;
}

export function resourcesFor(prefix: string): RunResources {
  return { network: new ChaosNetwork(prefix), nodes: [] };
}

/** Kills every process of the run by PID and deletes its namespaces; synchronous, idempotent. */
export function cleanUp(r: RunResources): void {
  for (const node of r.nodes) {
    const pid = node.pid;
    if (pid === undefined) continue;
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  r.redis?.stop();
  r.network.remove();
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = hostNow() + timeoutMs;
  while (!condition()) {
    if (hostNow() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

export interface RunResult {
  readonly verdict: Verdict;
  readonly origin: number;
}

export async function runChaos(o: ChaosOptions, runDir: string, r: RunResources, print: (line: string) => void): Promise<RunResult> {
  const T = o.electionTimeoutMs;
  const prng = new Prng(o.seed);
  const timeline = new Timeline(join(runDir, 'timeline.jsonl'));
  const names = Array.from({ length: o.nodes }, (_, i) => `n${i}`);
  r.network.create(o.mode === 'redis' ? [...names, REDIS] : names);
  if (o.mode === 'redis') {
    r.redis = new RedisMember(r.network.namespaceOf(REDIS), r.network.ipOf(REDIS), join(runDir, 'redis.log'));
    await r.redis.start();
  }
  const script = fileURLToPath(new URL('./node-app.js', import.meta.url));
  const members = names.map((name) => ({ name, ip: r.network.ipOf(name), port: NODE_PORT }));
  for (const [i, name] of names.entries()) {
    // Every other node keeps its Raft state on disk; the rest restart blank (DESIGN §5).
    const dataDir = i % 2 === 0 ? join(runDir, 'data', name) : undefined;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const spec: NodeSpec = {
      name,
      mode: o.mode,
      nodes: members,
      secret: 'chaos-secret-0123456789abcdef',
      electionTimeoutMs: T,
      dataDir,
      redisUrl: r.redis?.url,
      redisDiscovery: { dataPath: 'chaos', electionInterval: T / 5, electionPeriod: T, syncLeaderInterval: T / 5 },
      tickMs: 10,
      callEveryMs: 50,
      callTimeoutMs: 500,
      brokenKeepTicking: o.brokenKeepTicking,
    };
    r.nodes.push(new ChaosNode(spec, r.network.namespaceOf(name), script, join(runDir, `${name}.log`), timeline));
  }
  const origin = hostNow();
  for (const node of r.nodes) node.spawn();

  // The node that ticked last inside its lease: the leader as the nemeses see it.
  let scanned = 0;
  let leader: string | undefined;
  let lastValidTick = -Infinity;
  const refresh = () => {
    for (; scanned < timeline.facts.length; scanned++) {
      const f = timeline.facts[scanned]!;
      if (f.kind === 'tick' && f.leaseEnd !== null && f.at < f.leaseEnd) {
        leader = f.node;
        lastValidTick = Math.max(lastValidTick, f.at);
      }
    }
  };
  const settled = (since: number) => () => {
    refresh();
    return lastValidTick >= since && r.nodes.every((n) => n.started);
  };
  if (!(await until(settled(origin), RECOVERY_DEADLINE_T * T))) throw new Error('chaos: the cluster never elected a leader at start');

  const ctx: NemesisContext = {
    prng,
    nodes: r.nodes,
    network: r.network,
    leader: () => (refresh(), leader),
    redis: o.mode === 'redis' ? REDIS : undefined,
    only: o.nemeses,
  };
  const options = { callSlackMs: 500, doubleVoteWindowMs: 20 * T };
  const printed = new Set<string>();
  let verdict: Verdict = { violations: [], excusedDualTerms: 0, recoveries: [] };
  for (let cycle = 1; cycle <= o.cycles; cycle++) {
    await hold(prng.between(200, 1000)); // a random gap between faults
    const nemesis = chooseNemesis(ctx);
    const duration = prng.between(1000, 4000); // the fault's length, not a wait for a state
    timeline.record({ kind: 'nemesis', node: HARNESS, cycle, name: nemesis.name, at: hostNow() });
    await nemesis.start();
    await hold(duration);
    await nemesis.heal();
    const healedAt = hostNow();
    timeline.record({ kind: 'heal', node: HARNESS, cycle, at: healedAt });
    const recovered = await until(settled(healedAt), RECOVERY_DEADLINE_T * T);
    verdict = judge(timeline.facts, { ...options, until: hostNow() });
    const fresh = verdict.violations.filter((v) => !printed.has(keyOf(v)));
    const recovery = verdict.recoveries.at(-1);
    const counts = new Map<string, number>();
    for (const v of fresh) counts.set(v.kind, (counts.get(v.kind) ?? 0) + 1);
    const verdictText = fresh.length === 0 ? 'ok' : `VIOLATIONS ${[...counts].map(([k, n]) => `${k}=${n}`).join(' ')}`;
    print(
      `cycle ${cycle}/${o.cycles} ${nemesis.name} ${(duration / 1000).toFixed(2)}s ` +
        `recovery=${recovered && recovery != null ? `${(recovery / T).toFixed(2)}T` : 'NONE'} ${verdictText}`,
    );
    // The first violation of each kind and nodes in a cycle, with its timeline; all are counted.
    const shown = new Set<string>();
    for (const v of fresh) {
      printed.add(keyOf(v));
      const kindAndNodes = `${v.kind}/${v.nodes.join(',')}`;
      if (shown.has(kindAndNodes)) continue;
      shown.add(kindAndNodes);
      print(`  ${v.kind}: ${v.detail} at ${(v.at - origin).toFixed(3)}ms, nemesis ${nemesisAt(timeline.facts, v.at)}\n${excerpt(timeline.facts, v, origin)}`);
    }
  }
  for (const node of r.nodes) await node.stop();
  verdict = judge(timeline.facts, { ...options, until: hostNow() });
  await timeline.close();
  return { verdict, origin };
}

const keyOf = (v: Violation) => `${v.kind}/${v.nodes.join(',')}/${v.at}`;
