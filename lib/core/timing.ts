/**
 * The election timing every engine runs on (DESIGN §4), and its defaults: the one place they are
 * derived from the election timeout T. lib/config's defaultOptions() and the Raft node's defaults
 * filler both read them here, so options and node cannot disagree.
 */
export interface Timing {
  /** T: base (and minimum) election timeout; the randomized timeout is in [T, 2T). */
  readonly electionTimeoutMs: number;
  /** At most T/2 so that a follower hears at least one heartbeat per timeout. */
  readonly heartbeatIntervalMs: number;
  /** L: at most T, so a follower never votes while a lease it granted may still run. */
  readonly leaseMs: number;
  /** ρ: how much two clocks may disagree on an elapsed time, as a fraction in [0, 0.5). */
  readonly clockDriftBound: number;
  /** δ: how late the event loop may run a due tick. */
  readonly eventLoopMarginMs: number;
}

export const DEFAULT_ELECTION_TIMEOUT_MS = 1000;

/** DESIGN §4: heartbeat T/10, lease T/2, ρ 0.05, δ max(5 ms, T/20). */
export function defaultTiming(electionTimeoutMs: number = DEFAULT_ELECTION_TIMEOUT_MS): Timing {
  return {
    electionTimeoutMs,
    heartbeatIntervalMs: electionTimeoutMs / 10,
    leaseMs: electionTimeoutMs / 2,
    clockDriftBound: 0.05,
    eventLoopMarginMs: Math.max(5, electionTimeoutMs / 20),
  };
}
