import type { RaftMessage } from './messages.js';

export type RaftRole = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** What a node must keep across restarts (Raft thesis §3.8: currentTerm and votedFor). */
export interface PersistentState {
  term: number;
  votedFor?: string;
}

/** What the cluster sees of a node; etcd's SoftState (never persisted). */
export type SoftState = Pick<RaftStatus, 'role' | 'term' | 'leader' | 'acting'>;

/**
 * What the driver must do after a call into {@link RaftNode}: first write `persist` durably (if
 * present), then send `messages`, then call `tick()` again at local time `wakeAt` at the latest.
 *
 * etcd's RawNode hands out a Ready and waits for `Advance()` before the next; here every call
 * returns its own Ready and the node has already moved past it, so there is nothing to advance:
 * a driver must carry out each Ready in order (RaftEngine queues writes for that).
 */
export interface Ready {
  messages: RaftMessage[];
  persist?: PersistentState;
  /** Present only when role, term, leader or acting changed since the previous Ready. */
  softState?: SoftState;
  wakeAt: number;
}

export interface RaftStatus {
  id: string;
  role: RaftRole;
  term: number;
  leader?: string;
  /** True only on a leader that holds a lease and has outlived every older lease. */
  acting: boolean;
  votedFor?: string;
  /** Local time this follower last heard its leader (leader stickiness; readiness). */
  leaderHeardAt?: number;
  /** Local time the current lease ends (leaders that hold one). */
  leaseUntil?: number;
  /** Local time from which this leader may act (leaders). */
  actingFrom?: number;
}
