import type { Role } from '../events.js';

/**
 * What an election engine reports. The cluster derives every seed event from the difference
 * between two successive views, so an engine only has to say where it is, never what happened.
 */
export interface ElectionView {
  readonly role: Role;
  /** Raft term, or the redis leadership epoch. Never decreases. */
  readonly term: number;
  /** The leader this node currently recognises, if any (this node only while acting). */
  readonly leaderName: string | undefined;
  /** This node holds the leader lease: leader jobs may run. */
  readonly acting: boolean;
  /** The fencing token of the acting leadership (the term in Raft, the epoch in redis). */
  readonly fencingToken: number;
}

export const NO_LEADER_VIEW: ElectionView = {
  role: 'follower',
  term: 0,
  leaderName: undefined,
  acting: false,
  fencingToken: 0,
};

/** What the cluster gives an engine. */
export interface ElectionHost {
  /** Called synchronously on every change; the engine must never report a stale view after it. */
  onViewChange(view: ElectionView): void;
  /**
   * The engine stopped for good on its own and reports a non-leader view (etcd's rule: a storage
   * failure stops the node rather than letting it answer from state that is not on disk).
   */
  onFailure(error: Error): void;
}

/** One way of electing a leader: Raft, a redis lease, or single mode. */
export interface ElectionEngine {
  readonly view: ElectionView;
  start(): Promise<void>;
  /**
   * Stops for good. With `handOver`, a leader passes leadership to a follower (bounded by one
   * election timeout), so a successor takes over without waiting. The cluster calls `resign()` and
   * drains leader work first (DESIGN §4: stop acting, drain, then hand over).
   */
  stop(options: { handOver: boolean }): Promise<void>;
  /**
   * Stops acting now (the view turns non-acting before this returns) while keeping leadership, so
   * no other node can start acting until `transferLeadership()` or `stop({ handOver: true })`
   * hands it over. Gives the cluster time to drain leader jobs. A no-op on a non-leader.
   */
  resign(): void;
  /** Whether leadership can move to another node at all (single mode: there is none). */
  readonly canTransfer: boolean;
  /** Hands leadership over (after `resign()` and the drain); resolves once a successor leads. */
  transferLeadership(toNode?: string): Promise<void>;
  /**
   * Applies the clock now: a lease found over by a leader-work check is reported (non-acting view)
   * without waiting for the engine's own timer, which may run late after a stall.
   */
  checkLease(): void;
  /**
   * Monotonic time until which an acting leader may go on acting even if the engine's timer that
   * ends the lease has not fired yet (a stalled event loop): `isLeader()` checks it on every call.
   */
  actingUntil(): number;
  /** Monotonic time until which this node counts as ready (DESIGN §3 `isReady`). */
  readyUntil(): number;
}
