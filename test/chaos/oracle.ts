import type { Fact } from './facts.js';
import { covers, coveredWithin, intersect, merge, subtract, type Span } from './intervals.js';

export type ViolationKind = 'overlap' | 'stale_tick' | 'token_regression' | 'dual_term' | 'hung_call';
export const SAFETY_KINDS: readonly ViolationKind[] = ['overlap', 'stale_tick', 'token_regression', 'dual_term', 'hung_call'];

export interface Violation {
  readonly kind: ViolationKind;
  readonly at: number;
  readonly nodes: readonly string[];
  readonly detail: string;
}

export interface OracleOptions {
  /** Open leaderships, paused windows and unsettled calls are judged as of this instant. */
  readonly until: number;
  /** How late past its timeout a call may settle (event-loop lag on a loaded host), ms. */
  readonly callSlackMs: number;
  /**
   * δ (DESIGN §4, lease.ts): a job that passed its lease check may run up to δ past the lease end
   * (a late tick, a GC pause or a preemption between the check and the job's first statement); the
   * lease end is that much short of what the other nodes grant, so this is still safe.
   */
  readonly stallMarginMs: number;
  /**
   * A node restarted without dataDir may vote twice in one term (README "The leader context"), so
   * two leaders of one term are excused when such a restart falls within this long before the
   * second leader's SignMaster.
   */
  readonly doubleVoteWindowMs: number;
}

export interface Verdict {
  readonly violations: Violation[];
  /** Two leaders of one term explained by a restart without dataDir: allowed, counted apart. */
  readonly excusedDualTerms: number;
  /** Per heal: ms from the heal to the first tick of a node inside its lease, or null if none yet. */
  readonly recoveries: (number | null)[];
}

type Of<K extends Fact['kind']> = Extract<Fact, { kind: K }>;
const ofKind = <K extends Fact['kind']>(facts: readonly Fact[], kind: K): Of<K>[] =>
  facts.filter((f): f is Of<K> => f.kind === kind);

/** Windows in which each node's process was stopped: it did nothing in them. */
function pausedSpans(facts: readonly Fact[]): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const p of ofKind(facts, 'paused')) out.set(p.node, [...(out.get(p.node) ?? []), { from: p.from, to: p.to }]);
  for (const [node, spans] of out) out.set(node, merge(spans));
  return out;
}

/**
 * When each node acted, by its own account (DESIGN §3: a node acts only while it holds a lease):
 * from its SignMaster to its StopMaster (or its death), cut to the lease ends it reported with each
 * tick and event while leading, and with its paused windows cut out.
 */
export function actingSpans(facts: readonly Fact[], until: number): Map<string, Span[]> {
  const paused = pausedSpans(facts);
  const byNode = new Map<string, Span[]>();
  const leading = new Map<string, { samples: Span[] }>();
  const close = (node: string, at: number) => {
    const open = leading.get(node);
    if (!open) return;
    leading.delete(node);
    const spans = open.samples.map((s) => ({ from: s.from, to: Math.min(s.to, at) }));
    byNode.set(node, [...(byNode.get(node) ?? []), ...spans]);
  };
  for (const f of [...facts].sort((a, b) => a.at - b.at)) {
    if (f.kind === 'event' && f.type === 'SignMaster') leading.set(f.node, { samples: [] });
    if ((f.kind === 'event' || f.kind === 'tick') && f.leaseEnd !== null) leading.get(f.node)?.samples.push({ from: f.at, to: f.leaseEnd });
    if (f.kind === 'event' && f.type === 'StopMaster') close(f.node, f.at);
    if (f.kind === 'sigkill' || f.kind === 'spawn') close(f.node, f.at);
  }
  for (const node of [...leading.keys()]) close(node, until);
  const out = new Map<string, Span[]>();
  for (const [node, spans] of byNode) out.set(node, subtract(spans, paused.get(node) ?? []));
  return out;
}

/** Never two nodes acting at one instant: by acting spans, and by each tick against the others' spans. */
function overlaps(facts: readonly Fact[], acting: Map<string, Span[]>): Violation[] {
  const out: Violation[] = [];
  const nodes = [...acting.keys()].sort();
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      for (const s of intersect(acting.get(nodes[i]!)!, acting.get(nodes[j]!)!)) {
        const detail = `${nodes[i]} and ${nodes[j]} both acting for ${(s.to - s.from).toFixed(3)} ms`;
        out.push({ kind: 'overlap', at: s.from, nodes: [nodes[i]!, nodes[j]!], detail });
      }
    }
  }
  // A tick outside its own node's spans (a job that ignored its lease) inside another node's span:
  // one violation per node, token and other node, however many ticks it took.
  const seen = new Set<string>();
  for (const tick of ofKind(facts, 'tick')) {
    for (const [other, spans] of acting) {
      if (other === tick.node || !covers(spans, tick.at)) continue;
      if (covers(acting.get(tick.node) ?? [], tick.at)) continue; // already an overlap of spans
      const key = `${tick.node}/${tick.token}/${other}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: 'overlap', at: tick.at, nodes: [tick.node, other], detail: `${tick.node} ticked (token ${tick.token}) while ${other} was acting` });
    }
  }
  return out;
}

/** No job tick outside the node's own lease, give or take δ (leader-work.ts: the lease is checked before every run). */
function staleTicks(facts: readonly Fact[], stallMarginMs: number): Violation[] {
  return ofKind(facts, 'tick')
    .filter((t) => t.leaseEnd === null || t.at >= t.leaseEnd + stallMarginMs)
    .map((t) => ({
      kind: 'stale_tick' as const,
      at: t.at,
      nodes: [t.node],
      detail: `${t.node} ticked with token ${t.token} ${t.leaseEnd === null ? 'holding no lease' : `${(t.at - t.leaseEnd).toFixed(3)} ms after its lease end`}`,
    }));
}

/** Fencing tokens of ticks never go backwards across the cluster, on the host clock. */
function tokenRegressions(facts: readonly Fact[]): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  let highest: Of<'tick'> | undefined;
  for (const t of ofKind(facts, 'tick').sort((a, b) => a.at - b.at)) {
    if (highest && t.token < highest.token && !seen.has(`${t.node}/${t.token}`)) {
      seen.add(`${t.node}/${t.token}`);
      out.push({ kind: 'token_regression', at: t.at, nodes: [t.node, highest.node], detail: `${t.node} ticked with token ${t.token} after ${highest.node} ticked with ${highest.token}` });
    }
    if (!highest || t.token > highest.token) highest = t;
  }
  return out;
}

/** At most one leader per term (Raft's Election Safety), from the SignMaster events. */
function dualTerms(facts: readonly Fact[], windowMs: number): { violations: Violation[]; excused: number } {
  const first = new Map<number, Of<'event'>>();
  const fresh = ofKind(facts, 'spawn').filter((s) => !s.dataDir);
  const violations: Violation[] = [];
  let excused = 0;
  // The first spawn of every node is not a restart: it has voted nowhere yet.
  const restarts = fresh.filter((s) => fresh.some((o) => o.node === s.node && o.at < s.at));
  for (const e of ofKind(facts, 'event').sort((a, b) => a.at - b.at)) {
    if (e.type !== 'SignMaster') continue;
    const earlier = first.get(e.term);
    if (!earlier) first.set(e.term, e);
    if (!earlier || earlier.node === e.node) continue;
    if (restarts.some((s) => s.at <= e.at && s.at >= earlier.at - windowMs)) {
      excused++;
      continue;
    }
    violations.push({ kind: 'dual_term', at: e.at, nodes: [earlier.node, e.node], detail: `${earlier.node} and ${e.node} both led term ${e.term}` });
  }
  return { violations, excused };
}

/** Every remote call settles within its timeout plus slack, with a result or a typed error. */
function hungCalls(facts: readonly Fact[], paused: Map<string, Span[]>, options: OracleOptions): Violation[] {
  const generation = new Map<string, number>();
  const starts = new Map<string, Of<'call-start'>>();
  const ends = new Map<string, Of<'call-end'>>();
  const ended = new Map<string, number>();
  for (const f of [...facts].sort((a, b) => a.at - b.at)) {
    if (f.kind === 'spawn' || f.kind === 'sigkill') {
      if (f.kind === 'spawn') generation.set(f.node, (generation.get(f.node) ?? -1) + 1);
      else ended.set(`${f.node}#${generation.get(f.node)}`, f.at);
    }
    const key = (id: number) => `${f.node}#${generation.get(f.node) ?? 0}#${id}`;
    if (f.kind === 'call-start') starts.set(key(f.id), f);
    if (f.kind === 'call-end') ends.set(key(f.id), f);
  }
  const out: Violation[] = [];
  for (const [key, start] of starts) {
    const end = ends.get(key);
    const life = key.split('#').slice(0, 2).join('#');
    if (!end && ended.has(life)) continue; // the caller was killed: nobody is waiting
    const settledAt = end?.at ?? options.until;
    const took = settledAt - start.at - coveredWithin(paused.get(start.node) ?? [], start.at, settledAt);
    const late = took > start.timeoutMs + options.callSlackMs;
    const untyped = end !== undefined && !end.ok && end.code === null;
    if (!late && !untyped) continue;
    const what = untyped ? 'failed with an error without a code' : end ? `settled after ${took.toFixed(0)} ms` : `unsettled after ${took.toFixed(0)} ms`;
    out.push({ kind: 'hung_call', at: start.at, nodes: [start.node, start.target], detail: `call ${start.node}→${start.target} (timeout ${start.timeoutMs} ms) ${what}` });
  }
  return out;
}

/** Liveness after each heal: the first tick, inside its node's lease, at or after the heal. */
function recoveries(facts: readonly Fact[]): (number | null)[] {
  const ticks = ofKind(facts, 'tick').filter((t) => t.leaseEnd !== null && t.at < t.leaseEnd).sort((a, b) => a.at - b.at);
  return ofKind(facts, 'heal').map((h) => {
    const tick = ticks.find((t) => t.at >= h.at);
    return tick ? tick.at - h.at : null;
  });
}

/** The oracle's bounds for election timeout T (DESIGN §4 defaults: δ = max(5 ms, T/20)). */
export function oracleOptions(T: number): Omit<OracleOptions, 'until'> {
  return { callSlackMs: 500, stallMarginMs: Math.max(5, T / 20), doubleVoteWindowMs: 20 * T };
}

/** The exact oracle over a recorded timeline. */
export function judge(facts: readonly Fact[], options: OracleOptions): Verdict {
  const acting = actingSpans(facts, options.until);
  const dual = dualTerms(facts, options.doubleVoteWindowMs);
  const violations = [
    ...overlaps(facts, acting),
    ...staleTicks(facts, options.stallMarginMs),
    ...tokenRegressions(facts),
    ...dual.violations,
    ...hungCalls(facts, pausedSpans(facts), options),
  ].sort((a, b) => a.at - b.at);
  return { violations, excusedDualTerms: dual.excused, recoveries: recoveries(facts) };
}

export function countByKind(violations: readonly Violation[]): Record<ViolationKind, number> {
  const counts = Object.fromEntries(SAFETY_KINDS.map((k) => [k, 0])) as Record<ViolationKind, number>;
  for (const v of violations) counts[v.kind]++;
  return counts;
}
