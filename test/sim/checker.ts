import type { RaftStatus } from '../../lib/core/election/raft/index.js';

export type InvariantName =
  | 'one-leader-per-term'
  | 'no-overlapping-acting'
  | 'term-monotonic'
  | 'one-vote-per-term'
  | 'liveness'
  | 'rejoin-stability'
  | 'step-budget';

export interface Violation {
  invariant: InvariantName;
  /** True simulated time, ms. */
  at: number;
  detail: string;
}

/**
 * Checks the safety invariants online, in true-time order, from every status a node reports after
 * each call. Acting is an interval of true time: it opens at the call that first reports `acting`
 * and closes at the call that reports it stopped (or at a crash). Events arrive in true-time order,
 * so two intervals overlap exactly when one opens while the other is still open.
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly actingSince: (number | undefined)[];
  private readonly lastTerm: number[];
  private readonly votes: Map<number, string>[];

  /** The term each node currently leads, if it leads. */
  private readonly leading: (number | undefined)[];

  /**
   * `strictTerms`: a term has one leader over the whole run. Without persisted state a term can be
   * reused after every node that knew it forgot it (fencing tokens may repeat: the documented cost
   * of running without `dataDir`); then only two leaders of one term at the same time count.
   */
  constructor(
    private readonly ids: readonly string[],
    private readonly strictTerms = true,
  ) {
    this.leading = ids.map(() => undefined);
    this.actingSince = ids.map(() => undefined);
    this.lastTerm = ids.map(() => 0);
    this.votes = ids.map(() => new Map());
  }

  /** The smallest true-time gap seen between one node ceasing to act and another starting. */
  minHandoverGap = Infinity;
  private lastActingEnd = -Infinity;
  private lastActingNode = -1;

  observe(node: number, at: number, s: RaftStatus): void {
    this.leading[node] = s.role === 'leader' ? s.term : undefined;
    if (s.role === 'leader') {
      const prev = this.strictTerms ? this.leaderOfTerm.get(s.term) : this.concurrentLeaderOf(s.term, node);
      if (prev === undefined) this.leaderOfTerm.set(s.term, s.id);
      else if (prev !== s.id) this.fail('one-leader-per-term', at, `${prev} and ${s.id} both lead term ${s.term}`);
    }
    const since = this.actingSince[node];
    if (s.acting && since === undefined) {
      for (let other = 0; other < this.ids.length; other++) {
        const from = this.actingSince[other];
        if (other !== node && from !== undefined) {
          this.fail('no-overlapping-acting', at, `${s.id} starts acting (term ${s.term}) while ${this.ids[other]} acts since ${from.toFixed(3)}`);
        }
      }
      if (this.lastActingNode !== node) this.minHandoverGap = Math.min(this.minHandoverGap, at - this.lastActingEnd);
      this.actingSince[node] = at;
    } else if (!s.acting && since !== undefined) {
      this.stopActing(node, at);
    }
    if (s.term < this.lastTerm[node]!) this.fail('term-monotonic', at, `${s.id} went from term ${this.lastTerm[node]} to ${s.term}`);
    this.lastTerm[node] = s.term;
    if (s.votedFor !== undefined) {
      const prev = this.votes[node]!.get(s.term);
      if (prev === undefined) this.votes[node]!.set(s.term, s.votedFor);
      else if (prev !== s.votedFor) this.fail('one-vote-per-term', at, `${s.id} voted for ${prev} and ${s.votedFor} in term ${s.term}`);
    }
  }

  /** A crashed process acts and leads no more. */
  crashed(node: number, at: number): void {
    if (this.actingSince[node] !== undefined) this.stopActing(node, at);
    this.leading[node] = undefined;
  }

  private stopActing(node: number, at: number): void {
    this.actingSince[node] = undefined;
    this.lastActingEnd = at;
    this.lastActingNode = node;
  }

  private concurrentLeaderOf(term: number, except: number): string | undefined {
    const other = this.leading.findIndex((t, i) => i !== except && t === term);
    return other < 0 ? undefined : this.ids[other];
  }

  /** A node restarted without persisted state legitimately forgets its term and votes. */
  forgot(node: number): void {
    this.lastTerm[node] = 0;
    this.votes[node]!.clear();
  }

  isActing(node: number): boolean {
    return this.actingSince[node] !== undefined;
  }

  /** Records the first violation of each invariant in a run; later ones are usually its echoes. */
  fail(invariant: InvariantName, at: number, detail: string): void {
    if (this.violations.some((v) => v.invariant === invariant)) return;
    this.violations.push({ invariant, at, detail });
  }
}
