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
}

/** One way of electing a leader: Raft, a redis lease, or single mode. */
export interface ElectionEngine {
  readonly view: ElectionView;
  start(): Promise<void>;
  /**
   * Stops for good. With `handOver`, an acting leader first stops acting and passes leadership to
   * a follower (bounded by one election timeout), so a successor takes over without waiting.
   */
  stop(options: { handOver: boolean }): Promise<void>;
  transferLeadership(toNode?: string): Promise<void>;
  /**
   * Monotonic time until which an acting leader may go on acting even if the engine's timer that
   * ends the lease has not fired yet (a stalled event loop): `isLeader()` checks it on every call.
   */
  actingUntil(): number;
  /** Monotonic time until which this node counts as ready (DESIGN §3 `isReady`). */
  readyUntil(): number;
  /** Whether a configured node is connected and heard from recently. */
  isAlive(nodeName: string): boolean;
}
