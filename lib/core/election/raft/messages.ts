/**
 * Messages exchanged by Raft election nodes. Plain objects, so a transport can encode them as
 * they are (lib/core/codec.ts). Every message names its sender, its receiver and the sender's term.
 *
 * There is no log: this is leader election only, so the messages carry no log index.
 */

interface Envelope {
  from: string;
  to: string;
  term: number;
}

/** Raft thesis §9.6: asks whether the sender could win `term` before it raises its own term. */
export interface PreVote extends Envelope {
  type: 'PreVote';
}

/** `term` is the proposed term when granted, else the voter's current term. */
export interface PreVoteResponse extends Envelope {
  type: 'PreVoteResponse';
  granted: boolean;
  /**
   * On a refusal by a voter that may not vote yet (restarted without persisted state, DESIGN §4):
   * how long, on its clock, until it may. The pre-candidate asks again then instead of waiting out
   * a whole election timeout.
   */
  mutedForMs?: number;
}

/** Raft thesis §3.4: RequestVote. `transfer` marks a campaign started by TimeoutNow (§3.10). */
export interface Vote extends Envelope {
  type: 'Vote';
  transfer: boolean;
}

export interface VoteResponse extends Envelope {
  type: 'VoteResponse';
  granted: boolean;
  /**
   * Time, on the voter's clock, since the voter last acknowledged a heartbeat of any leader (or
   * released a lease of its own). The new leader uses it to wait out older leases (see lease.ts).
   */
  sinceLeaderMs: number;
}

/** Raft thesis §3.4: empty AppendEntries. `round` identifies this heartbeat round of the term. */
export interface Heartbeat extends Envelope {
  type: 'Heartbeat';
  round: number;
}

/** Echoes the round so the leader matches acknowledgements to rounds, never by time window. */
export interface HeartbeatResponse extends Envelope {
  type: 'HeartbeatResponse';
  round: number;
  /**
   * `false` from a follower that may not vote or campaign yet (restarted without persisted state,
   * DESIGN §4): no acknowledgement for the lease, and no target for a leadership transfer.
   */
  eligible?: boolean;
}

/**
 * Raft thesis §3.10: tells the target to campaign at once. `released` is true when the sender had
 * outlived every older lease before it stopped acting, so the winner of the next term may act at
 * once.
 */
export interface TimeoutNow extends Envelope {
  type: 'TimeoutNow';
  released: boolean;
}

export type RaftMessage =
  | PreVote
  | PreVoteResponse
  | Vote
  | VoteResponse
  | Heartbeat
  | HeartbeatResponse
  | TimeoutNow;

export type RaftMessageType = RaftMessage['type'];
