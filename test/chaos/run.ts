import { join } from 'node:path';
import type { ChaosNode } from './chaos-node.js';
import { hold, hostNow } from './clock.js';
import { HARNESS } from './facts.js';
import { LeaderWatch } from './leader-watch.js';
import { createMembers } from './members.js';
import { chooseNemesis, type NemesisContext } from './nemeses.js';
import { ChaosNetwork } from './network.js';
import { judge, oracleOptions, type Verdict, type Violation } from './oracle.js';
import type { ChaosOptions } from './options.js';
import { Prng } from '../sim/prng.js';
import { LinkDelays, startRelays, type RelayMember } from './relay-member.js';
import { STORE_PORTS, type StoreMember } from './store-member.js';
import { cycleReport } from './report.js';
import { Timeline } from './timeline.js';

/** Liveness bound per heal: past this the cycle counts as unrecovered and the run goes on. */
const RECOVERY_DEADLINE_T = 60;

/** Everything a run started, for cleanup on any exit path. */
export interface RunResources {
  readonly network: ChaosNetwork;
  readonly nodes: ChaosNode[];
  store?: StoreMember;
  /** One per node, for the delay nemesis (relay-member.ts). */
  readonly relays: RelayMember[];
}

export function resourcesFor(prefix: string): RunResources {
  return { network: new ChaosNetwork(prefix), nodes: [], relays: [] };
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
  r.store?.stop();
  for (const relay of r.relays) relay.stop();
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
  await createMembers(o, runDir, r, timeline);
  const store = o.mode === 'cluster' ? undefined : o.mode;
  const members = r.nodes[0]!.spec.nodes.concat(store ? [{ name: store, ip: r.network.ipOf(store), port: STORE_PORTS[store] }] : []);
  await startRelays(r.network, members, r.nodes.map((n) => n.name), r.relays, o.seed, (node) => join(runDir, `${node}.relay.log`));
  const delays = new LinkDelays(r.relays);
  const origin = hostNow();
  for (const node of r.nodes) node.spawn();
  const watch = new LeaderWatch(timeline);
  const settled = (since: number) => () => watch.tickedSince(since) && r.nodes.every((n) => n.started);
  if (!(await until(settled(origin), RECOVERY_DEADLINE_T * T))) throw new Error('chaos: the cluster never elected a leader at start');

  const ctx: NemesisContext = {
    prng,
    nodes: r.nodes,
    network: r.network,
    leader: () => watch.leader,
    store,
    only: o.nemeses,
    delays,
  };
  const options = oracleOptions(T);
  const printed = new Set<string>();
  for (let cycle = 1; cycle <= o.cycles; cycle++) {
    await hold(prng.between(200, 1000)); // a random gap between faults
    delays.check();
    const nemesis = chooseNemesis(ctx);
    const duration = prng.between(1000, 4000); // the fault's length, not a wait for a state
    timeline.record({ kind: 'nemesis', node: HARNESS, cycle, name: nemesis.name, at: hostNow() });
    await nemesis.start();
    await hold(duration);
    await nemesis.heal();
    const healedAt = hostNow();
    timeline.record({ kind: 'heal', node: HARNESS, cycle, at: healedAt });
    const recovered = await until(settled(healedAt), RECOVERY_DEADLINE_T * T);
    const verdict = judge(timeline.facts, { ...options, until: hostNow() });
    const fresh = verdict.violations.filter((v) => !printed.has(keyOf(v)));
    for (const v of fresh) printed.add(keyOf(v));
    const recovery = recovered ? verdict.recoveries.at(-1) : null;
    const line = { cycle, cycles: o.cycles, nemesis: nemesis.name, durationMs: duration, recoveryT: recovery == null ? null : recovery / T };
    print(cycleReport(line, fresh, timeline.facts, origin));
  }
  for (const node of r.nodes) await node.kill();
  const verdict = judge(timeline.facts, { ...options, until: hostNow() });
  await timeline.close();
  return { verdict, origin };
}

const keyOf = (v: Violation) => `${v.kind}/${v.nodes.join(',')}/${v.at}`;
