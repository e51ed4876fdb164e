import { sleep } from './clock.js';
import type { NodeSet, SeenEvent } from './node-set.js';

export interface Trial {
  /** When the signal was sent (shared clock). */
  readonly signalAt: number;
  /** Signal to the old leader → the next SignMaster on another node, in ms; undefined if none came. */
  readonly ms: number | undefined;
  readonly path: string;
  readonly newLeader: string | undefined;
}

export interface TrialPlan {
  readonly signal: 'SIGKILL' | 'SIGTERM';
  readonly trials: number;
  /** Quiet time after the cluster settled and before the signal; a random part is added. */
  readonly settleMs: number;
  /** The random part, uniform in [0, jitterMs): where in the leader's heartbeat cycle it dies. */
  readonly jitterMs: number;
  /** Give up on one trial after this long. */
  readonly timeoutMs: number;
  /** How the new leader got there, from the log (cluster mode: peerLost fast path or timer). */
  readonly classify: (signalAt: number, winner: SeenEvent, log: readonly SeenEvent[]) => string;
}

/**
 * Signals the acting leader of a settled set `plan.trials` times, each time timing the next
 * SignMaster on any other node, then restarting the old leader's process so every trial starts
 * from the same number of nodes.
 */
export async function runTrials(set: NodeSet, plan: TrialPlan, onTrial?: (t: Trial) => void): Promise<Trial[]> {
  const out: Trial[] = [];
  for (let i = 0; i < plan.trials; i++) {
    await set.until('a settled cluster', () => set.settled(), 60_000);
    await sleep(plan.settleMs + Math.random() * plan.jitterMs);
    const leader = set.settled();
    if (!leader) {
      i--;
      continue;
    }
    const { at, exited } = set.signal(leader, plan.signal);
    let trial: Trial;
    try {
      const winner = await set.until('the next SignMaster', () => set.firstEvent('SignMaster', at, leader), plan.timeoutMs);
      trial = { signalAt: at, ms: winner.at - at, path: plan.classify(at, winner, set.log), newLeader: winner.node };
    } catch {
      trial = { signalAt: at, ms: undefined, path: 'none', newLeader: undefined };
    }
    await exited;
    out.push(trial);
    onTrial?.(trial);
    set.start(leader);
  }
  return out;
}

/** The winner's last ElectionStart before its SignMaster and after the signal, if any. */
export function electionStartOf(winner: SeenEvent, after: number, log: readonly SeenEvent[]): SeenEvent | undefined {
  let found: SeenEvent | undefined;
  for (const e of log) {
    if (e.node === winner.node && e.event === 'ElectionStart' && e.at > after && e.at <= winner.at) found = e;
  }
  return found;
}

export function pathCounts(trials: readonly Trial[]): string {
  const counts = new Map<string, number>();
  for (const t of trials) counts.set(t.path, (counts.get(t.path) ?? 0) + 1);
  return [...counts.entries()].map(([path, n]) => `${path} ${n}`).join(', ');
}
