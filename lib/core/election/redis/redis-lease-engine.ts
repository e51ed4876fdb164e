import type { Clock } from '../../clock.js';
import { withDeadline } from '../../deadline.js';
import { NotReadyError, TimeoutError } from '../../errors.js';
import { usableLeaseMs } from '../../lease-span.js';
import { errorText, type ClusterLogger } from '../../logger.js';
import type { RedisLeaseSettings } from '../../settings.js';
import type { ElectionEngine, ElectionHost, ElectionView } from '../election-engine.js';
import { NO_LEADER_VIEW } from '../election-engine.js';
import { LeaseLog } from '../lease-log.js';
import { RateLimitedLog } from '../../rate-limited-log.js';
import { FailureLog } from './failure-log.js';
import { leaseKeys, type LeaseKeys } from './lease-keys.js';
import { ACQUIRE, QUARANTINE, RELEASE, RENEW } from './lease-scripts.js';
import type { LeaseStore } from './lease-store.js';
import { parseHolder, parseNotice, shown, type Holder, type Notice } from './lease-values.js';

export interface RedisLeaseConfig {
  readonly nodeName: string;
  readonly lease: RedisLeaseSettings;
  /** ρ: how far the clock rates of this process and Redis may differ. */
  readonly clockDriftBound: number;
  /** δ: taken off every lease for event-loop stalls between a reply and acting on it. */
  readonly eventLoopMarginMs: number;
}

/** The lease this node holds: the exact value in the key, and until when it may act on it. */
interface Lease {
  readonly value: string;
  readonly token: number;
  validUntil: number;
}

/** Another node's lease as last seen; `asOf` orders observations that arrive out of order. */
interface KnownLeader {
  readonly node: string;
  readonly token: number;
  readonly until: number;
  readonly asOf: number;
}

const LOG_EVERY_MS = 30_000;

/**
 * Redis mode (DESIGN §5): the leader is whoever holds `{dataPath}:leader`, set with SET NX PX
 * electionPeriod by the acquire script and kept by compare-and-renew every electionInterval.
 *
 * Safety rests on one rule: this node acts only until the *send* time of its last successful
 * acquire or renew plus `electionPeriod · (1 − ρ) − δ`. Redis starts the key's TTL when it runs
 * the command, after we sent it, so the key cannot expire, and nobody else can acquire it, before
 * that instant unless clocks drift by more than ρ. A dead, slow or paused Redis therefore never
 * leaves this node acting past its lease: a timer steps it down.
 *
 * Followers learn of leaders from every acquisition attempt (the script returns the holder and its
 * PTTL) and from pub/sub notices on `{dataPath}:events`; a release notice makes them try at once.
 */
export class RedisLeaseEngine implements ElectionEngine {
  readonly canTransfer = true;
  private current: ElectionView = NO_LEADER_VIEW;
  private lease: Lease | undefined;
  private leader: KnownLeader | undefined;
  /** Highest token seen: the view's term, and the floor for the next epoch (see ACQUIRE). */
  private term = 0;
  private store: LeaseStore | undefined;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private inflight: Promise<void> | undefined;
  private again = false;
  /**
   * DESIGN §4 hand-over: this node stopped acting but keeps renewing its lease, so nobody else can
   * start acting while its leader jobs drain; `stop()` or `transferLeadership()` then releases it.
   */
  private resigned = false;
  /** After handing leadership over, this node does not compete until then. */
  private holdOffUntil = Number.NEGATIVE_INFINITY;
  private tickTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly keys: LeaseKeys;
  private readonly failures: FailureLog;
  /** Invalid values read from Redis: logged as errors per key, rate-limited, and counted. */
  private readonly invalid: RateLimitedLog;
  /** Issue #12: the quarantine wait and a second process under this node's name, said in the log. */
  private readonly notes: LeaseLog;
  private readonly safeLeaseMs: number;

  constructor(
    private readonly host: ElectionHost,
    private readonly config: RedisLeaseConfig,
    private readonly clock: Clock,
    private readonly logger: ClusterLogger,
    private readonly openStore: (onError: (kind: string, error: unknown) => void) => Promise<LeaseStore>,
  ) {
    const { electionPeriod } = config.lease;
    this.keys = leaseKeys(config.lease.dataPath);
    this.failures = new FailureLog(logger, clock, Math.max(LOG_EVERY_MS, electionPeriod));
    this.invalid = new RateLimitedLog((line) => logger.error(line), clock, Math.max(LOG_EVERY_MS, electionPeriod));
    this.safeLeaseMs = usableLeaseMs(electionPeriod, config.clockDriftBound, config.eventLoopMarginMs);
    this.notes = new LeaseLog(logger, clock, {
      nodeName: config.nodeName,
      electionPeriod,
      everyMs: Math.max(LOG_EVERY_MS, electionPeriod),
      prefix: 'Redis lease',
    });
  }

  get view(): ElectionView {
    return this.current;
  }

  /** How many invalid values (leader key, epoch, notices) this engine has read and refused. */
  get invalidValues(): number {
    return this.invalid.count;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const store = await this.openStore((kind, error) => this.failures.failed(kind, error));
    if (this.stopped) {
      await store.close();
      return;
    }
    this.store = store;
    store.subscribe(this.keys.events, (message) => this.onNotice(message));
    this.tick();
  }

  stop({ handOver }: { handOver: boolean }): Promise<void> {
    this.stopping ??= this.shutDown(handOver);
    return this.stopping;
  }

  resign(): void {
    if (!this.lease) return;
    this.resigned = true;
    this.refresh();
  }

  checkLease(): void {
    if (!this.stopped) this.refresh();
  }

  /**
   * Redis cannot pick a successor, so this releases the lease and stays out of the next round;
   * with `toNode`, only that node reacts to the release notice at once, the others on their next
   * attempt, which gives it a head start of up to one electionInterval.
   */
  async transferLeadership(toNode?: string): Promise<void> {
    const lease = this.lease;
    if (!lease || this.stopped) throw new NotReadyError('Only the acting leader can transfer leadership.');
    this.holdOffUntil = this.clock.now() + this.config.lease.electionPeriod;
    this.lease = undefined;
    this.resigned = false;
    this.refresh();
    await this.release(lease, toNode);
  }

  actingUntil(): number {
    return this.lease && this.current.acting && !this.resigned ? this.lease.validUntil : Number.NEGATIVE_INFINITY;
  }

  readyUntil(): number {
    if (this.lease && this.current.acting) return this.lease.validUntil;
    return this.leader && this.current.leaderName !== undefined ? this.leader.until : Number.NEGATIVE_INFINITY;
  }


  // ---- the loop ----------------------------------------------------------------------------------

  /** One renewal (leader) or acquisition attempt (follower) now, and the next one scheduled. */
  private tick(): void {
    this.schedule();
    this.attempt();
  }

  private schedule(): void {
    clearTimeout(this.tickTimer);
    if (this.stopped) return;
    const { electionInterval, syncLeaderInterval } = this.config.lease;
    // A follower's attempt doubles as its read of the leader, so it attempts at the sync rate too.
    const next = this.lease ? electionInterval : Math.min(electionInterval, syncLeaderInterval);
    this.tickTimer = setTimeout(() => this.tick(), next);
  }

  /** Runs one Redis operation at a time; a request made meanwhile runs right after. */
  private attempt(): void {
    if (this.stopped) return;
    if (this.inflight) {
      this.again = true;
      return;
    }
    this.again = false;
    const kind = this.lease ? 'renewal' : 'acquisition';
    const op = this.lease ? this.renew(this.lease) : this.clock.now() >= this.holdOffUntil ? this.acquire() : undefined;
    if (!op) return;
    // An operation Redis never answers must not stall the loop. Its late effect is safe either way:
    // a late renewal or acquisition only keeps a key this node does not act on, and it expires.
    this.inflight = withDeadline(op, this.config.lease.electionPeriod, () => new TimeoutError('no reply from Redis'))
      .catch((error: unknown) => this.failures.failed(kind, error))
      .finally(() => {
        this.inflight = undefined;
        if (this.again) this.attempt();
      });
  }

  private async acquire(): Promise<void> {
    const sentAt = this.clock.now();
    const reply = (await this.store!.run(ACQUIRE, [this.keys.leader, this.keys.epoch], [
      this.config.nodeName,
      this.config.lease.electionPeriod,
      this.term,
    ])) as [number, string | null, number, string?, string?];
    this.failures.recovered();
    const [won, value, pttl, badKey, badValue] = reply;
    if (badKey !== undefined) {
      this.refuse(
        badKey,
        badValue,
        badKey === this.keys.epoch
          ? `the leader key is quarantined for one electionPeriod, then tokens continue above ${this.term}`
          : 'it was replaced by a quarantine value for one electionPeriod, then the nodes elect again',
      );
    }
    const { holder, invalid } = parseHolder(value, this.term);
    if (invalid) this.refuse(this.keys.leader, value, 'treated as held by nobody until it expires');
    this.notes.acquisitionReply(value === QUARANTINE ? pttl : undefined);
    if (won === 1 && holder) this.notes.holding(holder.token);
    this.notes.holderSeen(holder, 'reply');
    if (won !== 1 || !holder || typeof value !== 'string') {
      if (won === 1) return; // never act on a value that fails the check; the key expires unused
      this.observe(holder, pttl, sentAt);
      return;
    }
    const lease: Lease = { value, token: holder.token, validUntil: sentAt + this.safeLeaseMs };
    this.term = Math.max(this.term, holder.token);
    if (this.stopped) {
      this.lease = lease; // won while closing: shutDown releases it
      return;
    }
    if (this.clock.now() >= lease.validUntil) {
      await this.release(lease); // the reply came too late to act on: give the key back
      return;
    }
    this.lease = lease;
    this.resigned = false;
    this.leader = undefined;
    this.refresh();
    this.schedule();
    this.notify({ type: 'acquired', node: this.config.nodeName, token: holder.token });
  }

  private async renew(lease: Lease): Promise<void> {
    const sentAt = this.clock.now();
    const renewed = await this.store!.run(RENEW, [this.keys.leader], [lease.value, this.config.lease.electionPeriod]);
    this.failures.recovered();
    if (this.lease !== lease) return; // stepped down meanwhile; that release deletes what this kept
    if (renewed !== 1) {
      this.logger.warn(
        `Redis lease: the leader key no longer holds this node's token ${lease.token}; stopping as leader.`,
      );
      this.lease = undefined;
      this.refresh();
      this.schedule();
      this.again = true;
      return;
    }
    lease.validUntil = Math.max(lease.validUntil, sentAt + this.safeLeaseMs);
    this.refresh();
  }

  /** Compare-and-delete, then a release notice so followers try to acquire at once. */
  private async release(lease: Lease, to?: string): Promise<void> {
    const deleted = await this.store!.run(RELEASE, [this.keys.leader], [lease.value]);
    if (deleted === 1) {
      await this.store!.publish(
        this.keys.events,
        JSON.stringify({ type: 'released', node: this.config.nodeName, token: lease.token, to } satisfies Notice),
      );
    }
  }

  /** Best effort: a failed release only means followers wait for the key to expire. */
  private releaseQuietly(lease: Lease): void {
    this.release(lease).catch((error: unknown) => this.failures.failed('release', error));
  }

  private notify(notice: Notice): void {
    this.store!.publish(this.keys.events, JSON.stringify(notice)).catch((error: unknown) =>
      this.failures.failed('publish', error),
    );
  }

  // ---- what followers learn -----------------------------------------------------------------------

  private observe(holder: Holder | undefined, pttl: number, asOf: number): void {
    if (this.leader && asOf < this.leader.asOf) return; // a notice newer than this reply already told us
    if (this.lease && (!holder || holder.token <= this.lease.token)) return; // older news than our own lease
    if (holder) this.term = Math.max(this.term, holder.token);
    if (holder && pttl > 0) {
      this.leader = { node: holder.node, token: holder.token, until: this.clock.now() + pttl, asOf };
    } else {
      this.leader = undefined;
    }
    if (this.lease && holder && holder.token > this.lease.token) {
      // Someone acquired after us, so our key is gone (expired, failed over, or flushed): step down now.
      this.stepDown(this.lease);
      return;
    }
    this.refresh();
  }

  private onNotice(message: string): void {
    if (this.stopped) return;
    const notice = parseNotice(message, this.term);
    if (!notice) return this.refuse(this.keys.events, message, 'the notice was ignored');
    const now = this.clock.now();
    if (notice.type === 'acquired') {
      if (this.lease?.token === notice.token) return;
      this.notes.holderSeen(notice, 'notice');
      this.observe(notice, this.config.lease.electionPeriod, now);
    } else if (notice.type === 'released') {
      if (this.leader?.token === notice.token) {
        this.leader = undefined;
        this.refresh();
      }
      if (notice.to === undefined || notice.to === this.config.nodeName) this.attempt();
    }
  }

  /** Logs an invalid value read from Redis as an error naming the key; it is never adopted. */
  private refuse(key: string, value: unknown, outcome: string): void {
    this.invalid.report(
      key,
      `Redis lease: "${key}" held ${shown(value)}, not a lease value this cluster writes (positive integer ` +
        `tokens up to 2^48 and within 2^32 of the highest seen, ${this.term}); it was not adopted: ${outcome}`,
    );
  }

  // ---- the view -----------------------------------------------------------------------------------

  /** Ends this node's leadership; the key is deleted if still ours, so it never blocks the next leader. */
  private stepDown(lease: Lease): void {
    if (this.lease !== lease) return;
    this.lease = undefined;
    this.refresh();
    this.releaseQuietly(lease);
    this.tick();
  }

  /** Applies the clock (leases run out), reports the view if it changed, and arms the next expiry. */
  private refresh(): void {
    const now = this.clock.now();
    if (this.lease && now >= this.lease.validUntil) {
      const lease = this.lease;
      this.logger.warn(
        `Redis lease: no successful renewal within the lease; stopping as leader (token ${lease.token}).`,
      );
      this.stepDown(lease);
      return;
    }
    if (this.leader && now >= this.leader.until) this.leader = undefined;
    this.show(this.derive());
    clearTimeout(this.expiryTimer);
    const expiry = this.lease?.validUntil ?? this.leader?.until;
    if (expiry !== undefined && !this.stopped) {
      this.expiryTimer = setTimeout(() => this.refresh(), Math.max(1, Math.ceil(expiry - now)));
    }
  }

  private derive(): ElectionView {
    if (this.stopped) return { ...NO_LEADER_VIEW, term: this.term };
    if (this.lease && this.resigned) {
      return { role: 'leader', term: this.lease.token, leaderName: undefined, acting: false, fencingToken: 0 };
    }
    if (this.lease) {
      const token = this.lease.token;
      return { role: 'leader', term: token, leaderName: this.config.nodeName, acting: true, fencingToken: token };
    }
    // A key under this node's own name that this engine does not hold (an earlier incarnation, or a
    // second process misconfigured with the same name) is someone else's lease: it is not followed.
    const leaderName = this.leader && this.leader.node !== this.config.nodeName ? this.leader.node : undefined;
    // With no holder known, every attempt may win: the node is campaigning (isFighting, and the
    // seed's ElectionStart/ElectionFinish around it), unless it just handed leadership over.
    const campaigning = !this.leader && this.clock.now() >= this.holdOffUntil;
    return { role: campaigning ? 'candidate' : 'follower', term: this.term, leaderName, acting: false, fencingToken: 0 };
  }

  private show(next: ElectionView): void {
    const prev = this.current;
    if (
      prev.role === next.role &&
      prev.term === next.term &&
      prev.leaderName === next.leaderName &&
      prev.acting === next.acting &&
      prev.fencingToken === next.fencingToken
    ) {
      return;
    }
    this.current = next;
    this.host.onViewChange(next);
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  private async shutDown(handOver: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.expiryTimer);
    const lease = this.lease;
    this.leader = undefined;
    this.show(this.derive()); // stop acting before anything else, whatever Redis does next
    if (!this.store) return;
    const bound = Math.min(this.config.lease.electionPeriod, 2000);
    try {
      if (handOver) {
        // An acquisition in flight may still win; wait for it, so its key is released too.
        await withDeadline(this.inflight ?? Promise.resolve(), bound, () => new TimeoutError('no reply from Redis'));
        const held = this.lease ?? lease;
        if (held) await withDeadline(this.release(held), bound, () => new TimeoutError('no reply from Redis'));
      }
    } catch (error) {
      this.logger.warn(`Redis lease: could not release the lease on close (${errorText(error)}); it expires by itself.`);
    } finally {
      this.lease = undefined;
      await this.store.close();
    }
  }
}
