import type { RaftStatus } from '../../lib/core/election/raft/index.js';

export type InvariantName =
  | 'one-leader-per-term'
  | 'no-overlapping-acting'
  | 'fencing-order'
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
 * and closes at the call that reports it stopped (or at a crash, or at the start of a freeze: see
 * `froze`). Events arrive in true-time order, so two intervals overlap exactly when one opens while
 * the other is still open.
 *
 * Fencing order: an interval that opens must carry a token (its term) greater than that of every
 * interval of another leadership that opened earlier in true time, and no interval may still be
 * open (a job of it could still run) once an interval with a greater token has opened. "Earlier" is
 * by opening time; intervals of one leadership (same node, same term: a node leads a term at most
 * once when terms are persisted) share their token and are not compared with each other, so a
 * leader that stops acting and acts again in its term is fine unless another leadership acted in
 * between. Together: every instant of a leadership precedes every instant of one with a greater
 * token, which is what a store that rejects stale fencing tokens relies on.
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly leaderOfTerm = new Map<number, string>();
  private readonly actingSince: (number | undefined)[];
  /** The term each node's open acting interval acts in. */
  private readonly actingTerm: number[];
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
    this.actingTerm = ids.map(() => 0);
    this.lastTerm = ids.map(() => 0);
    this.votes = ids.map(() => new Map());
  }

  /** The smallest true-time gap seen between one node ceasing to act and another starting. */
  minHandoverGap = Infinity;
  private lastActingEnd = -Infinity;
  private lastActingNode = -1;
  /** The highest term any interval acted in so far, and the node that acted in it. */
  private maxActedTerm = -Infinity;
  private maxActedNode = -1;
  private maxActedSince = -Infinity;

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
      this.actingTerm[node] = s.term;
      this.checkFencing(node, at, s);
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

  /**
   * A frozen process (SIGSTOP, VM pause) runs no leader job while frozen; after it, a job runs only
   * if the lease checked against the clock still holds, which the next status it reports says.
   */
  froze(node: number, at: number): void {
    if (this.actingSince[node] !== undefined) this.stopActing(node, at);
    // A frozen process leads nothing: it sends and decides nothing until it resumes, and its first
    // step then (a lease check's tick) applies CheckQuorum before anything else.
    this.leading[node] = undefined;
  }

  /**
   * Only with persisted terms: without, a term can be reused after a majority forgot it, and a
   * later leadership can carry a smaller token (the documented cost of running without dataDir).
   */
  private checkFencing(node: number, at: number, s: RaftStatus): void {
    if (!this.strictTerms) return;
    if (s.term < this.maxActedTerm || (s.term === this.maxActedTerm && node !== this.maxActedNode)) {
      this.fail(
        'fencing-order',
        at,
        `${s.id} acts with token ${s.term} after ${this.ids[this.maxActedNode]} acted with token ${this.maxActedTerm}`,
      );
    }
    if (s.term > this.maxActedTerm) {
      this.maxActedTerm = s.term;
      this.maxActedNode = node;
      this.maxActedSince = at;
    }
  }

  /** A crashed process acts and leads no more. */
  crashed(node: number, at: number): void {
    if (this.actingSince[node] !== undefined) this.stopActing(node, at);
    this.leading[node] = undefined;
  }

  private stopActing(node: number, at: number): void {
    const term = this.actingTerm[node]!;
    if (this.strictTerms && term < this.maxActedTerm) {
      this.fail(
        'fencing-order',
        at,
        `${this.ids[node]} acted with token ${term} until ${at.toFixed(3)}, after ${this.ids[this.maxActedNode]} ` +
          `started acting with token ${this.maxActedTerm} at ${this.maxActedSince.toFixed(3)}`,
      );
    }
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
