import { resolveRaftConfig, type RaftConfig, type ResolvedRaftConfig } from './config.js';
import { leaseEnd, leaseSpan, safeToActAfterVote } from './lease.js';
import type {
  Heartbeat,
  HeartbeatResponse,
  PreVote,
  PreVoteResponse,
  RaftMessage,
  TimeoutNow,
  Vote,
  VoteResponse,
} from './messages.js';
import { quorumSize } from './quorum.js';
import type { PersistentState, RaftRole, RaftStatus, Ready, SoftState } from './types.js';
import { ClusterError } from '../../errors.js';
import { isTerm, MAX_TERM, withinReach } from '../term-ceiling.js';

export class RaftUsageError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_RAFT_USAGE', message);
  }
}

/** A campaign started by TimeoutNow from the leader of `term`. */
interface TransferOrigin {
  term: number;
  released: boolean;
}

interface Campaign {
  /** PreVote grants, or for a candidate the local time each counted vote lets it act from. */
  grants: Map<string, number>;
  transfer?: TransferOrigin;
}

interface Round {
  sentAt: number;
  acks: Set<string>;
}

interface Leadership {
  /** Send time of the latest round a majority acknowledged; the election until the first one. */
  heardFromMajorityAt: number;
  actingFrom: number;
  /** False once TimeoutNow was sent: this leader never acts again in this term. */
  mayAct: boolean;
  leaseUntil?: number;
  nextRound: number;
  rounds: Map<number, Round>;
  nextHeartbeatAt: number;
  lastAckAt: Map<string, number>;
  transferUntil?: number;
}


/**
 * The Raft leader-election state machine of one node: no timers, sockets or clocks inside. Time
 * comes in as `now` (the node's monotonic clock, ms) and every call returns a {@link Ready}.
 *
 * @example
 * const node = new RaftNode({ id: 'a', peers: ['a', 'b', 'c'], electionTimeoutMs: 1000, persisted: true },
 *   await store.load(), performance.now(), Math.random);
 * let ready = node.tick(performance.now());
 * // driver: await store.save(ready.persist); send(ready.messages); wake at ready.wakeAt
 */
export class RaftNode {
  private readonly cfg: ResolvedRaftConfig;
  private readonly quorum: number;
  private term: number;
  private votedFor: string | undefined;
  private role: RaftRole = 'follower';
  private leader: string | undefined;
  private electionDeadline: number;
  /** When this follower last heard from `leader` (leader stickiness, Raft thesis §4.2.3). */
  private leaderHeardAt: number | undefined;
  /** See lease.ts: the last moment this node may have helped to grant any leader a lease. */
  private leaseContactAt: number;
  /** The leader the transport reported lost, until we hear from it again. */
  private lostLeader: string | undefined;
  /** Without persisted state, a restarted node neither votes nor acknowledges until then. */
  private readonly muteUntil: number;
  /**
   * Since this node started it has heard no leader, granted no vote and not campaigned: nobody is
   * known to lead or to be campaigning, so the first campaign needs no random wait (see connected()).
   */
  private coldStart = true;
  private campaign: Campaign | undefined;
  private lead: Leadership | undefined;
  private outbox: RaftMessage[] = [];
  private reported: SoftState;
  private persistedState: PersistentState;

  /**
   * @param config see {@link RaftConfig}: derived from validated settings, or given in part by the
   *   simulation and tests, defaults filled in (DESIGN §4). Throws RaftUsageError if its own id is
   *   not exactly once among the peers.
   * @param state what the driver loaded from its store, or `undefined` on a first start (or when
   *   nothing is persisted).
   * @param now the node's monotonic clock in ms; every later call passes the same clock.
   * @param random uniform in [0, 1): randomizes election timeouts (seeded in simulations).
   * @param since when this incarnation began, on the same clock (at most `now`): no earlier
   *   incarnation of this node can have voted or acknowledged after it. `now` by default; the
   *   driver may pass its process's start when no earlier incarnation ran in this process
   *   (see incarnation.ts). The mute and the lease contact below count from it.
   */
  constructor(
    config: RaftConfig,
    state: PersistentState | undefined,
    now: number,
    private readonly random: () => number,
    since: number = now,
  ) {
    this.cfg = resolveRaftConfig(config);
    const { id, peers } = this.cfg;
    if (new Set(peers).size !== peers.length || !peers.includes(id)) {
      throw new RaftUsageError(`Raft node "${id}": its own id must be among peers, each listed once (${peers.join(', ')}).`);
    }
    this.quorum = quorumSize(this.cfg.peers.length);
    if (state && !isTerm(state.term)) {
      throw new RaftUsageError(`Raft node "${this.cfg.id}": persisted term ${state.term} is outside [0, ${MAX_TERM}].`);
    }
    this.term = state?.term ?? 0;
    this.votedFor = state?.votedFor;
    this.persistedState = { term: this.term, votedFor: this.votedFor };
    if (!(since <= now)) {
      throw new RaftUsageError(`Raft node "${this.cfg.id}": its incarnation's start (${since}) must be a time no later than now (${now}).`);
    }
    // What we acknowledged before a restart is unknown: count the start as the last acknowledgement.
    this.leaseContactAt = since;
    // A node that forgot its vote could vote twice in a term, or help an old leader renew after
    // voting it out: it stays out of both for one minimum election timeout after its start (DESIGN
    // §4). It does not campaign either, as a candidate votes for itself.
    this.muteUntil = this.cfg.persisted ? now : Math.max(now, since + this.cfg.electionTimeoutMs);
    this.electionDeadline = this.muteUntil + this.randomElectionTimeout();
    this.reported = this.snapshot(now);
  }

  /** Advances timers. Call at `ready.wakeAt` (or later). */
  tick(now: number): Ready {
    return this.run(now, () => this.onTick(now));
  }

  /** Handles one message addressed to this node. */
  step(msg: RaftMessage, now: number): Ready {
    return this.run(now, () => this.onMessage(msg, now));
  }

  /**
   * How long a follower that saw its leader lost waits before campaigning. Every follower sees the
   * same loss within a few milliseconds, so random delays alone (over one heartbeat) now and then
   * put two campaigns within a round trip of each other: a split vote, and an election timeout
   * lost (the failover bench saw 2 in 30 trials with 5 nodes). Staggering the survivors by their
   * place in the configured node list, half a heartbeat apart with a small random part, lets the
   * first one's Vote reach the others before they start. It costs nothing while the old lease
   * runs, which the new leader has to wait out anyway (lease.ts).
   */
  private lostLeaderDelay(leader: string): number {
    return this.staggered(this.cfg.peers.filter((p) => p !== leader).indexOf(this.cfg.id));
  }

  /** The `rank`-th slot of half a heartbeat, with a small random part (see lostLeaderDelay). */
  private staggered(rank: number): number {
    return (rank + this.random() / 3) * (this.cfg.heartbeatIntervalMs / 2);
  }

  /**
   * The transport reports which peers are connected now. Issue #15, a fast first election: on a
   * cold start (no leader heard, no vote granted, no campaign since this node started) nobody can
   * be disrupted, so once a quorum is connected this node campaigns after its mute period plus a
   * stagger by its place in the node list, instead of a random election timeout in [T, 2T). The
   * first node's PreVote reaches the others before their slots come; they grant and vote for it.
   * A hint only: safety never rests on it (PreVote, stickiness, the mute and the lease rules are
   * unchanged), and a wrong one at worst costs a PreVote round.
   */
  connected(peers: Iterable<string>, now: number): Ready {
    return this.run(now, () => {
      if (!this.coldStart || this.role !== 'follower') return;
      const reachable = new Set([...peers].filter((p) => p !== this.cfg.id && this.cfg.peers.includes(p)));
      if (reachable.size + 1 < this.quorum) return;
      const at = Math.max(now, this.muteUntil) + this.staggered(this.cfg.peers.indexOf(this.cfg.id));
      this.electionDeadline = Math.min(this.electionDeadline, at);
    });
  }

  /**
   * The transport reports the connection to `peer` closed and a re-dial refused. If `peer` is our
   * leader we campaign at once; safety never rests on this signal (see lease.ts).
   */
  peerLost(peer: string, now: number): Ready {
    return this.run(now, () => {
      if (this.role !== 'follower' || peer !== this.leader) return;
      this.lostLeader = peer;
      this.electionDeadline = Math.min(this.electionDeadline, now + this.lostLeaderDelay(peer));
    });
  }

  /**
   * DESIGN §4 hand-over, first half: the leader stops acting for the rest of its term but keeps
   * leading (heartbeats, so followers stay sticky and nobody else starts acting) while the driver
   * drains leader jobs. `transferLeadership` then hands over. A no-op unless this node leads.
   */
  resign(now: number): Ready {
    return this.run(now, () => {
      if (this.lead) this.lead.mayAct = false;
    });
  }

  /**
   * Raft thesis §3.10: hands leadership to `to`, or to the follower that acknowledged most recently
   * (a restarted node without persisted state does not acknowledge while it cannot vote, so it is
   * never picked). The leader stops acting before it sends TimeoutNow. With no follower to take
   * over (none acknowledged within a lease), it steps down at once rather than lead without acting.
   * A no-op unless this node is a leader.
   */
  transferLeadership(to: string | undefined, now: number): Ready {
    if (to !== undefined && (to === this.cfg.id || !this.cfg.peers.includes(to))) {
      throw new RaftUsageError(`Raft node "${this.cfg.id}": cannot transfer leadership to "${to}"; pick another configured node.`);
    }
    return this.run(now, () => {
      const lead = this.lead;
      if (this.role !== 'leader' || !lead || lead.transferUntil !== undefined) return;
      lead.mayAct = false;
      const target = to ?? this.mostRecentlyAcknowledging(lead, now);
      if (target === undefined) return this.becomeFollower(this.term, now);
      const released = now >= lead.actingFrom;
      lead.transferUntil = now + this.cfg.electionTimeoutMs;
      this.send<TimeoutNow>({ type: 'TimeoutNow', to: target, term: this.term, released });
    });
  }

  /** The current term, without building a status (the driver reads it for every message). */
  get currentTerm(): number {
    return this.term;
  }

  /** The node's state as of local time `now` (acting depends on the time). */
  status(now: number): RaftStatus {
    const lead = this.lead;
    return {
      id: this.cfg.id,
      role: this.role,
      term: this.term,
      leader: this.leader,
      acting: this.isActing(now),
      votedFor: this.votedFor,
      leaderHeardAt: this.leaderHeardAt,
      leaseUntil: lead?.leaseUntil,
      actingFrom: lead?.actingFrom,
    };
  }

  private run(now: number, handle: () => void): Ready {
    this.checkQuorum(now);
    handle();
    const messages = this.outbox;
    this.outbox = [];
    const snap = this.snapshot(now);
    const changed =
      snap.role !== this.reported.role ||
      snap.term !== this.reported.term ||
      snap.leader !== this.reported.leader ||
      snap.acting !== this.reported.acting;
    this.reported = snap;
    let persist: PersistentState | undefined;
    if (this.term !== this.persistedState.term || this.votedFor !== this.persistedState.votedFor) {
      this.persistedState = { term: this.term, votedFor: this.votedFor };
      if (this.cfg.persisted) persist = this.persistedState;
    }
    return { messages, persist, softState: changed ? snap : undefined, wakeAt: this.wakeAt(now) };
  }

  private onTick(now: number): void {
    const lead = this.lead;
    if (!lead) {
      if (now >= this.electionDeadline && now >= this.muteUntil) this.startPreVote(now);
      return;
    }
    if (lead.transferUntil !== undefined && now >= lead.transferUntil) {
      // Raft thesis §3.10: abandon the transfer after an election timeout. This term's lease was
      // given away, so campaign for a new term under the normal rules.
      this.becomeFollower(this.term, now);
      this.startPreVote(now);
      return;
    }
    if (now >= lead.nextHeartbeatAt) this.broadcastHeartbeat(now);
  }

  private onMessage(msg: RaftMessage, now: number): void {
    if (msg.to !== this.cfg.id || msg.from === this.cfg.id) return;
    // Issue #10 item 3 (term-ceiling.ts): a term no election could continue from is never adopted,
    // whatever the driver let through.
    if (!isTerm(msg.term) || !withinReach(msg.term, this.term)) return;
    switch (msg.type) {
      case 'PreVote':
        return this.onPreVote(msg, now);
      case 'PreVoteResponse':
        return this.onPreVoteResponse(msg, now);
      case 'Vote':
        return this.onVote(msg, now);
      case 'VoteResponse':
        return this.onVoteResponse(msg, now);
      case 'Heartbeat':
        return this.onHeartbeat(msg, now);
      case 'HeartbeatResponse':
        return this.onHeartbeatResponse(msg, now);
      case 'TimeoutNow':
        return this.onTimeoutNow(msg, now);
    }
  }

  // Raft thesis §9.6: PreVote. A pre-vote changes no state on either side.
  private onPreVote(msg: PreVote, now: number): void {
    if (now < this.muteUntil) {
      // It could not grant the real vote (DESIGN §4 mute), so it does not encourage the campaign;
      // it says when it can, so the pre-candidate asks again then (issue #15).
      this.send<PreVoteResponse>({ type: 'PreVoteResponse', to: msg.from, term: this.term, granted: false, mutedForMs: this.muteUntil - now });
      return;
    }
    const granted = msg.term > this.term && !this.isSticky(msg.from, false, now);
    this.send<PreVoteResponse>({ type: 'PreVoteResponse', to: msg.from, term: granted ? msg.term : this.term, granted });
  }

  private onPreVoteResponse(msg: PreVoteResponse, now: number): void {
    if (!msg.granted) {
      if (msg.term > this.term) return this.becomeFollower(msg.term, now);
      if (msg.mutedForMs !== undefined && this.role === 'pre-candidate') this.askAgainAfterMute(msg.mutedForMs, now);
      return;
    }
    if (this.role !== 'pre-candidate' || !this.campaign || msg.term !== this.term + 1) return;
    this.campaign.grants.set(msg.from, now);
    if (this.campaign.grants.size >= this.quorum) this.becomeCandidate(now, undefined);
  }

  /**
   * A voter refused only because it may not vote for `mutedForMs` more: campaign again once it
   * may, staggered by rank as on a cold start. At most the voter's mute (never more than T, the
   * value is a peer's) and at least one slot, so no answer can make this node campaign in a loop.
   */
  private askAgainAfterMute(mutedForMs: number, now: number): void {
    const wait = Math.min(mutedForMs, this.cfg.electionTimeoutMs);
    const slot = this.cfg.heartbeatIntervalMs / 2;
    const at = now + Math.max(wait, slot) + this.staggered(this.cfg.peers.indexOf(this.cfg.id));
    this.electionDeadline = Math.min(this.electionDeadline, at);
  }

  // Raft thesis §3.4 RequestVote, with §4.2.3: a node that hears from a leader neither votes nor
  // raises its term, unless the campaign is a leadership transfer.
  private onVote(msg: Vote, now: number): void {
    if (msg.term < this.term || this.isSticky(msg.from, msg.transfer, now)) {
      this.send<VoteResponse>({ type: 'VoteResponse', to: msg.from, term: this.term, granted: false, sinceLeaderMs: 0 });
      return;
    }
    if (msg.term > this.term) this.becomeFollower(msg.term, now);
    const granted =
      this.role === 'follower' && (this.votedFor === undefined || this.votedFor === msg.from) && now >= this.muteUntil;
    if (granted) {
      this.votedFor = msg.from;
      this.coldStart = false;
      this.electionDeadline = now + this.randomElectionTimeout();
    }
    this.send<VoteResponse>({
      type: 'VoteResponse',
      to: msg.from,
      term: this.term,
      granted,
      sinceLeaderMs: now - this.leaseContactAt,
    });
  }

  private onVoteResponse(msg: VoteResponse, now: number): void {
    if (msg.term > this.term) return this.becomeFollower(msg.term, now);
    const campaign = this.campaign;
    if (this.role !== 'candidate' || !campaign || msg.term !== this.term || !msg.granted) return;
    if (campaign.grants.has(msg.from)) return;
    campaign.grants.set(msg.from, safeToActAfterVote(now, msg.sinceLeaderMs, this.cfg));
    if (campaign.grants.size >= this.quorum) this.becomeLeader(now);
  }

  private onHeartbeat(msg: Heartbeat, now: number): void {
    if (msg.term < this.term) {
      // Raft thesis §3.4: reject with our term so a stale leader steps down.
      this.send<HeartbeatResponse>({ type: 'HeartbeatResponse', to: msg.from, term: this.term, round: msg.round });
      return;
    }
    if (msg.term > this.term || this.role !== 'follower') this.becomeFollower(msg.term, now);
    this.leader = msg.from;
    this.leaderHeardAt = now;
    this.coldStart = false;
    if (this.lostLeader === msg.from) this.lostLeader = undefined;
    this.electionDeadline = now + this.randomElectionTimeout();
    if (now < this.muteUntil) {
      // Say so, so the leader does not pick this node for a transfer it would ignore (a rolling
      // deploy: restart a follower, then the leader); it is no acknowledgement for the lease.
      this.send<HeartbeatResponse>({ type: 'HeartbeatResponse', to: msg.from, term: this.term, round: msg.round, eligible: false });
      return;
    }
    this.leaseContactAt = now;
    this.send<HeartbeatResponse>({ type: 'HeartbeatResponse', to: msg.from, term: this.term, round: msg.round });
  }

  private onHeartbeatResponse(msg: HeartbeatResponse, now: number): void {
    if (msg.term > this.term) return this.becomeFollower(msg.term, now);
    const lead = this.lead;
    if (!lead || msg.term !== this.term) return;
    if (msg.eligible === false) return void lead.lastAckAt.delete(msg.from);
    lead.lastAckAt.set(msg.from, now);
    const round = lead.rounds.get(msg.round);
    if (!round) return;
    round.acks.add(msg.from);
    if (round.acks.size >= this.quorum) this.renewLease(lead, round.sentAt);
  }

  // Raft thesis §3.10: the target of a transfer campaigns at once, skipping PreVote. Only the
  // leader of this term can hand it over: `released` lets the winner act at once, so trusting it
  // from any other peer could make two leaders act (issue #10 item 5).
  private onTimeoutNow(msg: TimeoutNow, now: number): void {
    if (msg.term !== this.term || this.role !== 'follower' || msg.from !== this.leader) return;
    if (now < this.muteUntil || this.term >= MAX_TERM) return;
    this.becomeCandidate(now, { term: msg.term, released: msg.released });
  }

  private startPreVote(now: number): void {
    // The term range is spent (term-ceiling.ts): a campaign would send a malformed term.
    if (this.term >= MAX_TERM) {
      this.electionDeadline = now + this.randomElectionTimeout();
      return;
    }
    this.role = 'pre-candidate';
    this.leader = undefined;
    this.coldStart = false;
    this.campaign = { grants: new Map([[this.cfg.id, now]]) };
    this.electionDeadline = now + this.randomElectionTimeout();
    if (this.campaign.grants.size >= this.quorum) return this.becomeCandidate(now, undefined);
    this.broadcast((to) => ({ type: 'PreVote', to, term: this.term + 1 }));
  }

  private becomeCandidate(now: number, transfer: TransferOrigin | undefined): void {
    this.coldStart = false;
    this.term += 1;
    this.votedFor = this.cfg.id;
    this.role = 'candidate';
    this.leader = undefined;
    this.lostLeader = undefined;
    const ownVote = safeToActAfterVote(now, now - this.leaseContactAt, this.cfg);
    this.campaign = { grants: new Map([[this.cfg.id, ownVote]]), transfer };
    this.electionDeadline = now + this.randomElectionTimeout();
    if (this.campaign.grants.size >= this.quorum) return this.becomeLeader(now);
    const isTransfer = transfer !== undefined;
    this.broadcast((to) => ({ type: 'Vote', to, term: this.term, transfer: isTransfer }));
  }

  private becomeLeader(now: number): void {
    const campaign = this.campaign!;
    const transfer = campaign.transfer;
    // The transferring leader of the previous term released its lease and had outlived the older
    // ones; otherwise wait out every lease an older leader could still hold (lease.ts).
    const actingFrom =
      transfer && transfer.released && transfer.term === this.term - 1 ? now : Math.max(...campaign.grants.values());
    this.role = 'leader';
    this.leader = this.cfg.id;
    this.campaign = undefined;
    this.lostLeader = undefined;
    this.lead = {
      heardFromMajorityAt: now,
      actingFrom,
      mayAct: true,
      nextRound: 1,
      rounds: new Map(),
      nextHeartbeatAt: now,
      lastAckAt: new Map(),
    };
    this.broadcastHeartbeat(now);
  }

  /** Also the step-down path of a leader, which stops acting at once. */
  private becomeFollower(term: number, now: number): void {
    if (term > this.term) {
      this.term = term;
      this.votedFor = undefined;
    }
    if (this.lead) {
      // Its own lease ends now: lease.ts counts that as an acknowledgement L earlier.
      this.leaseContactAt = Math.max(this.leaseContactAt, now - this.cfg.leaseMs);
    }
    this.role = 'follower';
    this.leader = undefined;
    this.leaderHeardAt = undefined;
    this.campaign = undefined;
    this.lead = undefined;
    this.electionDeadline = now + this.randomElectionTimeout();
  }

  private broadcastHeartbeat(now: number): void {
    const lead = this.lead!;
    const round = lead.nextRound++;
    lead.rounds.set(round, { sentAt: now, acks: new Set([this.cfg.id]) });
    // An acknowledgement of a round whose lease would already be over cannot help; forget it.
    const span = leaseSpan(this.cfg);
    for (const [id, r] of lead.rounds) if (r.sentAt + span <= now) lead.rounds.delete(id);
    lead.nextHeartbeatAt = now + this.cfg.heartbeatIntervalMs;
    if (this.quorum === 1) this.renewLease(lead, now);
    this.broadcast((to) => ({ type: 'Heartbeat', to, term: this.term, round }));
  }

  private renewLease(lead: Leadership, sentAt: number): void {
    lead.heardFromMajorityAt = Math.max(lead.heardFromMajorityAt, sentAt);
    lead.leaseUntil = Math.max(lead.leaseUntil ?? -Infinity, leaseEnd(sentAt, this.cfg));
    for (const [id, r] of lead.rounds) if (r.sentAt <= sentAt) lead.rounds.delete(id);
  }

  // CheckQuorum (Raft thesis §6.2): a leader steps down once an election timeout passes without a
  // round acknowledged by a majority. Acting already stopped at the lease end (isActing); a leader
  // whose lease lapsed (a stalled event loop, late acks under CPU load) but that hears from a
  // majority again within T renews its lease and acts again in its term, instead of a full election.
  // Safe: every renewal is per round, and any voter of a higher term rejects this term's rounds.
  private checkQuorum(now: number): void {
    const lead = this.lead;
    if (lead && now >= this.stepDownAt(lead)) this.becomeFollower(this.term, now);
  }

  private stepDownAt(lead: Leadership): number {
    return lead.heardFromMajorityAt + this.cfg.electionTimeoutMs;
  }

  private isActing(now: number): boolean {
    const lead = this.lead;
    return (
      lead !== undefined &&
      lead.mayAct &&
      now >= lead.actingFrom &&
      lead.leaseUntil !== undefined &&
      now < lead.leaseUntil
    );
  }

  /** Leader stickiness: refuse to help depose a leader we heard from within T_min. */
  private isSticky(candidate: string, transfer: boolean, now: number): boolean {
    if (transfer) return false;
    if (this.role === 'leader') return true;
    if (this.role !== 'follower' || this.leader === undefined || this.leaderHeardAt === undefined) return false;
    if (candidate === this.leader || this.lostLeader === this.leader) return false;
    return now - this.leaderHeardAt < this.cfg.electionTimeoutMs;
  }

  private mostRecentlyAcknowledging(lead: Leadership, now: number): string | undefined {
    let best: string | undefined;
    let bestAt = now - leaseSpan(this.cfg);
    for (const [peer, at] of lead.lastAckAt) {
      if (at > bestAt) [best, bestAt] = [peer, at];
    }
    return best;
  }

  private wakeAt(now: number): number {
    const lead = this.lead;
    if (!lead) return Math.max(this.electionDeadline, this.muteUntil);
    let wake = Math.min(lead.nextHeartbeatAt, this.stepDownAt(lead));
    if (lead.transferUntil !== undefined) wake = Math.min(wake, lead.transferUntil);
    if (lead.actingFrom > now) wake = Math.min(wake, lead.actingFrom);
    if (lead.leaseUntil !== undefined && lead.leaseUntil > now) wake = Math.min(wake, lead.leaseUntil);
    return wake;
  }

  private randomElectionTimeout(): number {
    // Raft thesis §3.4: randomized in [T, 2T).
    return this.cfg.electionTimeoutMs * (1 + this.random());
  }

  private snapshot(now: number): SoftState {
    return { role: this.role, term: this.term, leader: this.leader, acting: this.isActing(now) };
  }

  private send<M extends RaftMessage>(msg: Omit<M, 'from'>): void {
    this.outbox.push({ ...msg, from: this.cfg.id } as RaftMessage);
  }

  private broadcast(make: (to: string) => Omit<RaftMessage, 'from'>): void {
    for (const peer of this.cfg.peers) if (peer !== this.cfg.id) this.send(make(peer));
  }
}
