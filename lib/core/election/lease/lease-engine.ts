import type { Clock } from '../../clock.js';
import { withDeadline } from '../../deadline.js';
import { NotReadyError, TimeoutError } from '../../errors.js';
import { usableLeaseMs } from '../../lease-span.js';
import { errorText, type ClusterLogger } from '../../logger.js';
import type { ElectionEngine, ElectionHost, ElectionView } from '../election-engine.js';
import { NO_LEADER_VIEW } from '../election-engine.js';
import type { LeaseEngineConfig } from './lease-config.js';
import { LeaseLog } from './lease-log.js';
import { LeaseLoop } from './lease-loop.js';
import type { HeldLease, LeaseStore } from './lease-store.js';
import { LeaseWatch, type KnownLeader } from './lease-watch.js';
import type { Holder, Notice } from './lease-values.js';
import { leaseView, sameView } from './lease-view.js';

/** The lease this node holds, and until when it may act on it. */
interface Lease {
  readonly held: HeldLease;
  validUntil: number;
}

// Over 250 lines for a reason: this is the lease algorithm of DESIGN §5 in one place (acquire,
// renew, release, the step-down rule and hand-over), to be checked against the rules in one read;
// the loop, the view, what followers learn and the log live beside it.

/**
 * The lease engine (DESIGN §5) over any {@link LeaseStore}: the leader is whoever holds the
 * store's lease, taken by `acquire` and kept by `renew` every electionInterval.
 *
 * Safety rests on one rule: this node acts only until the *send* time of its last successful
 * acquire or renew plus `electionPeriod · (1 − ρ) − δ`. The store starts the lease when it runs
 * the command, after we sent it, so the lease cannot expire, and nobody else can acquire it,
 * before that instant unless clocks drift by more than ρ. A dead, slow or paused store therefore
 * never leaves this node acting past its lease: a timer steps it down.
 *
 * Followers learn of leaders from every acquisition attempt (the store returns the holder and its
 * time left) and from the store's notices where it has them; a release notice makes them try at once.
 */
export class LeaseEngine implements ElectionEngine {
  readonly canTransfer = true;
  private current: ElectionView = NO_LEADER_VIEW;
  private lease: Lease | undefined;
  private store: LeaseStore | undefined;
  private started = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  /**
   * DESIGN §4 hand-over: this node stopped acting but keeps renewing its lease, so nobody else can
   * start acting while its leader jobs drain; `stop()` or `transferLeadership()` then releases it.
   */
  private resigned = false;
  /** After handing leadership over, this node does not compete until then. */
  private holdOffUntil = Number.NEGATIVE_INFINITY;
  private readonly loop: LeaseLoop;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** What followers learn: the known leader, the highest token, invalid values refused. */
  private readonly watch: LeaseWatch;
  /** Issue #12: the quarantine wait and a second process under this node's name, said in the log. */
  private readonly notes: LeaseLog;
  private readonly safeLeaseMs: number;

  constructor(
    private readonly host: ElectionHost,
    private readonly config: LeaseEngineConfig,
    private readonly clock: Clock,
    private readonly logger: ClusterLogger,
    private readonly openStore: (onError: (kind: string, error: unknown) => void) => Promise<LeaseStore>,
  ) {
    const { electionPeriod, electionInterval } = config.lease;
    this.watch = new LeaseWatch(config, clock, logger);
    this.loop = new LeaseLoop({
      // A follower's attempt doubles as its read of the leader, so it attempts at the sync rate too.
      intervalMs: () => (this.lease ? electionInterval : Math.min(electionInterval, config.lease.syncLeaderInterval)),
      next: () => this.nextOperation(),
      deadlineMs: electionPeriod,
      deadlineError: () => this.noReply(),
      failed: (kind, error) => {
        if (kind === 'acquisition') this.notes.acquisitionUnanswered();
        this.watch.failures.failed(kind, error);
      },
    });
    this.safeLeaseMs = usableLeaseMs(electionPeriod, config.clockDriftBound, config.eventLoopMarginMs);
    this.notes = new LeaseLog(logger, clock, {
      nodeName: config.nodeName,
      electionPeriod,
      everyMs: this.watch.logEveryMs,
      prefix: `${config.label} lease`,
      heldIn: config.heldIn,
    });
  }

  get view(): ElectionView {
    return this.current;
  }

  /** How many invalid values (holders, counters, notices) this engine has read and refused. */
  get invalidValues(): number {
    return this.watch.invalidValues;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const store = await this.openStore((kind, error) => this.watch.failures.failed(kind, error));
    if (this.stopped) {
      await store.close();
      return;
    }
    this.store = store;
    this.watch.attach(store);
    store.watch?.((message) => this.onNotice(message));
    this.loop.tick();
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
   * A store cannot pick a successor, so this releases the lease and stays out of the next round;
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
    const leader = this.watch.leader;
    return leader && this.current.leaderName !== undefined ? leader.until : Number.NEGATIVE_INFINITY;
  }

  // ---- the store operations ---------------------------------------------------------------------

  private nextOperation(): { kind: string; run: Promise<void> } | undefined {
    if (this.stopped) return undefined;
    if (this.lease) return { kind: 'renewal', run: this.renew(this.lease) };
    return this.clock.now() >= this.holdOffUntil ? { kind: 'acquisition', run: this.acquire() } : undefined;
  }

  private async acquire(): Promise<void> {
    const sentAt = this.clock.now();
    const reply = await this.store!.acquire({
      node: this.config.nodeName,
      periodMs: this.config.lease.electionPeriod,
      highestToken: this.watch.term,
    });
    this.watch.failures.recovered();
    const { holder, remainingMs } = this.watch.read(reply);
    this.notes.acquisitionReply(reply.quarantined ? remainingMs : undefined);
    const won = reply.acquired && holder?.node === this.config.nodeName;
    // A reply to an acquisition the loop gave up on can come after a later one won, and a store
    // (the mysql one had this bug; one's own may too) can claim that later lease as this one's win.
    // It is the lease held now: taking it for a late win would give back the one this engine acts on.
    if (won && this.lease?.held.token === holder.token) return;
    if (won) this.notes.holding(holder.token);
    // A reply after the loop's deadline tells of the store as it was long ago (perhaps this
    // engine's own lease from a lost acquisition): no evidence of another process under this name.
    if (this.clock.now() - sentAt < this.config.lease.electionPeriod) this.notes.holderSeen(holder, 'reply');
    if (!won) {
      if (reply.acquired) return; // never act on a value that fails the check; the lease expires unused
      this.observe(holder, remainingMs, sentAt);
      return;
    }
    const lease: Lease = { held: { ...holder, raw: reply.holder!.raw }, validUntil: sentAt + this.safeLeaseMs };
    this.watch.raise(holder.token);
    if (this.stopped) {
      this.lease = lease; // won while closing: shutDown releases it
      return;
    }
    if (this.clock.now() >= lease.validUntil) {
      await this.release(lease); // the reply came too late to act on: give the lease back
      return;
    }
    this.lease = lease;
    this.resigned = false;
    this.watch.forget();
    this.refresh();
    this.loop.schedule();
    this.notify({ type: 'acquired', node: this.config.nodeName, token: holder.token });
  }

  private async renew(lease: Lease): Promise<void> {
    const sentAt = this.clock.now();
    const renewed = await this.store!.renew(lease.held, this.config.lease.electionPeriod);
    this.watch.failures.recovered();
    if (this.lease !== lease) return; // stepped down meanwhile; that release deletes what this kept
    if (renewed !== true) {
      this.logger.warn(
        `${this.config.label} lease: ${this.config.heldIn} no longer holds this node's token ${lease.held.token}; stopping as leader.`,
      );
      this.lease = undefined;
      this.refresh();
      this.loop.schedule();
      this.loop.again_();
      return;
    }
    lease.validUntil = Math.max(lease.validUntil, sentAt + this.safeLeaseMs);
    this.refresh();
  }

  /** Compare-and-release, then a release notice so followers try to acquire at once. */
  private async release(lease: Lease, to?: string): Promise<void> {
    const released = await this.store!.release(lease.held);
    if (released === true && this.store!.announce) {
      const { node, token } = lease.held;
      await this.store!.announce(JSON.stringify({ type: 'released', node, token, to } satisfies Notice));
    }
  }

  /** Best effort: a failed release only means followers wait for the lease to expire. */
  private releaseQuietly(lease: Lease): void {
    this.release(lease).catch((error: unknown) => this.watch.failures.failed('release', error));
  }

  private notify(notice: Notice): void {
    this.store!.announce?.(JSON.stringify(notice)).catch((error: unknown) => this.watch.failures.failed('publish', error));
  }

  private noReply(): TimeoutError {
    return new TimeoutError(`no reply from ${this.config.label}`);
  }

  // ---- what followers learn -----------------------------------------------------------------------

  private observe(holder: Holder | undefined, remainingMs: number, asOf: number): void {
    const held = this.lease?.held;
    if (!this.watch.observe(holder, remainingMs, asOf, held?.token)) return;
    if (this.lease && holder && holder.token > this.lease.held.token) {
      // Someone acquired after us, so our lease is gone (expired, failed over, or lost): step down now.
      this.stepDown(this.lease);
      return;
    }
    this.refresh();
  }

  private onNotice(message: string): void {
    if (this.stopped) return;
    const notice = this.watch.notice(message);
    if (!notice) return;
    if (notice.type === 'acquired') {
      if (this.lease?.held.token === notice.token) return;
      this.notes.holderSeen(notice, 'notice');
      this.observe(notice, this.config.lease.electionPeriod, this.clock.now());
    } else {
      if (this.watch.leader?.token === notice.token) {
        this.watch.forget();
        this.refresh();
      }
      if (notice.to === undefined || notice.to === this.config.nodeName) this.loop.attempt();
    }
  }

  // ---- the view -----------------------------------------------------------------------------------

  /** Ends this node's leadership; the lease is released if still ours, so it never blocks the next leader. */
  private stepDown(lease: Lease): void {
    if (this.lease !== lease) return;
    this.lease = undefined;
    this.refresh();
    this.releaseQuietly(lease);
    this.loop.tick();
  }

  /** Applies the clock (leases run out), reports the view if it changed, and arms the next expiry. */
  private refresh(): void {
    const now = this.clock.now();
    if (this.lease && now >= this.lease.validUntil) {
      const lease = this.lease;
      this.logger.warn(
        `${this.config.label} lease: no successful renewal within the lease; stopping as leader (token ${lease.held.token}).`,
      );
      this.stepDown(lease);
      return;
    }
    const leader: KnownLeader | undefined = this.watch.current(now);
    this.show();
    clearTimeout(this.expiryTimer);
    const expiry = this.lease?.validUntil ?? leader?.until;
    if (expiry !== undefined && !this.stopped) {
      this.expiryTimer = setTimeout(() => this.refresh(), Math.max(1, Math.ceil(expiry - now)));
    }
  }

  private show(): void {
    const next = leaseView({
      nodeName: this.config.nodeName,
      stopped: this.stopped,
      heldToken: this.lease?.held.token,
      resigned: this.resigned,
      leaderNode: this.watch.leader?.node,
      term: this.watch.term,
      competing: this.clock.now() >= this.holdOffUntil,
    });
    if (sameView(this.current, next)) return;
    this.current = next;
    this.host.onViewChange(next);
  }

  // ---- shutdown -----------------------------------------------------------------------------------

  private async shutDown(handOver: boolean): Promise<void> {
    this.stopped = true;
    this.loop.stop();
    clearTimeout(this.expiryTimer);
    const lease = this.lease;
    this.watch.forget();
    this.show(); // stop acting before anything else, whatever the store does next
    if (!this.store) return;
    const bound = Math.min(this.config.lease.electionPeriod, 2000);
    try {
      if (handOver) {
        // An acquisition in flight may still win; wait for it, so its lease is released too.
        await this.loop.settled(bound);
        const held = this.lease ?? lease;
        if (held) await withDeadline(this.release(held), bound, () => this.noReply());
      }
    } catch (error) {
      this.logger.warn(
        `${this.config.label} lease: could not release the lease on close (${errorText(error)}); it expires by itself.`,
      );
    } finally {
      this.lease = undefined;
      await this.store.close();
    }
  }
}
