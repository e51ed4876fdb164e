import type { Fact } from './facts.js';
import { SAFETY_KINDS, countByKind, type Violation } from './oracle.js';

/** Times on the printed timeline are ms since the run's origin. */
const rel = (at: number, origin: number) => `${(at - origin).toFixed(3).padStart(11)}ms`;

function describe(f: Fact, origin: number): string {
  switch (f.kind) {
    case 'event':
      return `${f.type} term=${f.term} leader=${f.leader ?? '-'} leaseEnd=${f.leaseEnd === null ? '-' : rel(f.leaseEnd, origin).trim()}`;
    case 'tick':
      return `tick token=${f.token} leaseEnd=${f.leaseEnd === null ? '-' : rel(f.leaseEnd, origin).trim()}`;
    case 'paused':
      return `paused ${rel(f.from, origin).trim()}..${rel(f.to, origin).trim()}`;
    case 'call-start':
      return `call #${f.id} → ${f.target} timeout=${f.timeoutMs}`;
    case 'call-end':
      return `call #${f.id} ${f.ok ? 'ok' : `error ${f.code ?? '(no code)'}`}`;
    case 'nemesis':
      return `nemesis ${f.name} (cycle ${f.cycle})`;
    case 'heal':
      return `heal (cycle ${f.cycle})`;
    case 'spawn':
      return `spawn${f.dataDir ? ' (dataDir)' : ''}`;
    default:
      return f.kind;
  }
}

/**
 * The timeline around a violation: faults and events of every node, and ticks and calls of the
 * nodes involved close to it (ticks come a hundred a second; all of them would hide the story).
 */
export function excerpt(facts: readonly Fact[], v: Violation, origin: number, maxLines = 40): string {
  const near = (f: Fact, before: number, after: number) => f.at >= v.at - before && f.at <= v.at + after;
  const involved = (f: Fact) => v.nodes.includes(f.node);
  const lines = facts
    .filter((f) => {
      if (f.kind === 'tick') return involved(f) && near(f, 60, 30);
      if (f.kind === 'call-start' || f.kind === 'call-end') return v.kind === 'hung_call' && involved(f) && near(f, 50, 5000);
      if (f.kind === 'paused') return f.to >= v.at - 5000 && f.from <= v.at + 500;
      return near(f, 2000, 500);
    })
    .sort((a, b) => a.at - b.at);
  const at = lines.findIndex((f) => f.at >= v.at);
  const from = Math.max(0, Math.min(at < 0 ? lines.length : at, lines.length) - Math.floor(maxLines * 0.7));
  return lines
    .slice(from, from + maxLines)
    .map((f) => `    ${rel(f.at, origin)} ${f.node.padEnd(4)} ${describe(f, origin)}`)
    .join('\n');
}

/** The nemesis in force (or last healed) at `at`. */
export function nemesisAt(facts: readonly Fact[], at: number): string {
  let name = 'none (before the first fault)';
  for (const f of facts) if (f.kind === 'nemesis' && f.at <= at) name = `${f.name} (cycle ${f.cycle})`;
  return name;
}

export interface CycleLine {
  readonly cycle: number;
  readonly cycles: number;
  readonly nemesis: string;
  readonly durationMs: number;
  /** Time to an acting leader after the heal, in T; null if none came within the deadline. */
  readonly recoveryT: number | null;
}

/**
 * One line per cycle; then the first violation of each kind and nodes found in it, with the
 * nemesis in force and the timeline around it (every violation is counted in the summary).
 */
export function cycleReport(c: CycleLine, fresh: readonly Violation[], facts: readonly Fact[], origin: number): string {
  const counts = new Map<string, number>();
  for (const v of fresh) counts.set(v.kind, (counts.get(v.kind) ?? 0) + 1);
  const verdict = fresh.length === 0 ? 'ok' : `VIOLATIONS ${[...counts].map(([k, n]) => `${k}=${n}`).join(' ')}`;
  const recovery = c.recoveryT === null ? 'NONE' : `${c.recoveryT.toFixed(2)}T`;
  const lines = [`cycle ${c.cycle}/${c.cycles} ${c.nemesis} ${(c.durationMs / 1000).toFixed(2)}s recovery=${recovery} ${verdict}`];
  const shown = new Set<string>();
  for (const v of fresh) {
    const kindAndNodes = `${v.kind}/${v.nodes.join(',')}`;
    if (shown.has(kindAndNodes)) continue;
    shown.add(kindAndNodes);
    lines.push(`  ${v.kind}: ${v.detail} at ${(v.at - origin).toFixed(3)}ms, nemesis ${nemesisAt(facts, v.at)}`, excerpt(facts, v, origin));
  }
  return lines.join('\n');
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface Summary {
  readonly nodes: number;
  readonly cycles: number;
  readonly seed: number;
  readonly violations: readonly Violation[];
  /** Recovery times in units of T; null where no leader came back in time. */
  readonly recoveriesT: readonly (number | null)[];
}

/** The summary line, in the format CI and RESULTS.md quote. */
export function summaryLine(s: Summary): string {
  const counts = countByKind(s.violations);
  const recovered = s.recoveriesT.filter((r): r is number => r !== null).sort((a, b) => a - b);
  return (
    `chaos: nodes=${s.nodes} cycles=${s.cycles} overlaps=${counts.overlap} stale_ticks=${counts.stale_tick} ` +
    `token_regressions=${counts.token_regression} dual_term=${counts.dual_term} hung_calls=${counts.hung_call} ` +
    `recovery_p99=${percentile(recovered, 99).toFixed(2)}T seed=${s.seed}`
  );
}

/** The second line: the rest of liveness and what was allowed. */
export function detailLine(s: Summary, mode: string, excusedDualTerms: number, runDir: string): string {
  const recovered = s.recoveriesT.filter((r): r is number => r !== null).sort((a, b) => a - b);
  const missing = s.recoveriesT.length - recovered.length;
  const f = (p: number) => `${percentile(recovered, p).toFixed(2)}T`;
  return (
    `chaos: mode=${mode} recovery p50=${f(50)} p99=${f(99)} max=${f(100)} unrecovered=${missing} ` +
    `dual_term_excused=${excusedDualTerms} run=${runDir}`
  );
}

export const isSafe = (violations: readonly Violation[]) => !violations.some((v) => SAFETY_KINDS.includes(v.kind));
