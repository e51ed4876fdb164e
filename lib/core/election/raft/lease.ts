import { usableLeaseMs } from '../../lease-span.js';
import type { ResolvedRaftConfig } from './config.js';

/*
 * Leader lease arithmetic (DESIGN §4 "CheckQuorum + leader lease", "Detect fast, act safely").
 *
 * Clocks. ρ bounds how two nodes' clocks disagree: over any real interval, the time elapsed on one
 * node's clock is at least (1 − ρ) times the time elapsed on any other's. δ bounds how late a
 * driver runs a due tick, so a leader may go on acting for up to δ after its lease ends.
 *
 * Lease. A leader sends heartbeat round r at its local time s_r. Once a majority (itself included)
 * has acknowledged r, it may act until s_r + L·(1 − ρ) − δ. Measured on the clock of any follower
 * v that acknowledged r at local time h_v (necessarily after s_r in real time), the leader stops
 * acting before h_v + L: the (1 − ρ) turns the leader's clock into v's, the −δ pays for a late tick.
 *
 * Acting safely after an election. A voter v reports sinceLeaderMs e_v: the time on its clock
 * between its last acknowledgement of any leader's heartbeat and its vote. At the vote it enters
 * the new term, so it acknowledges no older-term heartbeat afterwards. So any lease it helped to
 * grant ends within max(0, L − e_v) on v's clock after the vote, i.e. within max(0, L − e_v)/(1 − ρ)
 * on the new leader's clock after the new leader receives the vote. The majority that acknowledged
 * any old leader's latest round intersects the new leader's voting quorum, so waiting for the
 * largest such bound over the counted votes (its own included) outlives every older lease; δ more
 * covers a stalled old leader's late tick beyond what its own margin paid for.
 *
 * A node that restarted cannot know what it acknowledged before, so it counts its start as its last
 * acknowledgement: the start of its incarnation, which may be its process's start (incarnation.ts); a leader that stops acting counts as having acknowledged L before that moment.
 */

/** The local time until which a leader may act once round `sentAt` is acknowledged by a majority. */
export function leaseEnd(sentAt: number, cfg: ResolvedRaftConfig): number {
  return sentAt + leaseSpan(cfg);
}

export function leaseSpan(cfg: ResolvedRaftConfig): number {
  return usableLeaseMs(cfg.leaseMs, cfg.clockDriftBound, cfg.eventLoopMarginMs);
}

/**
 * The local time from which a new leader may act as far as one vote is concerned: the vote was
 * received at `receivedAt`, and the voter last took part in a lease `sinceLeaderMs` before it voted.
 */
export function safeToActAfterVote(receivedAt: number, sinceLeaderMs: number, cfg: ResolvedRaftConfig): number {
  const remaining = Math.max(0, cfg.leaseMs - sinceLeaderMs);
  return receivedAt + remaining / (1 - cfg.clockDriftBound) + cfg.eventLoopMarginMs;
}
