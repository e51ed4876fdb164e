import type { Clock } from '../../clock.js';
import type { ClusterLogger } from '../../logger.js';
import { RateLimitedLog } from '../../rate-limited-log.js';

export interface LeaseLogOptions {
  readonly nodeName: string;
  /** The lease length: a holder seen for longer than this renews it. */
  readonly electionPeriod: number;
  /** How often a repeated warning may be written. */
  readonly everyMs: number;
  /** How lines name the store, `Redis lease`. */
  readonly prefix: string;
  /** How lines name what holds the lease: `the leader key`, `the lease row`. */
  readonly heldIn: string;
}

/**
 * Issue #12 item 3: the waits and misconfigurations of a lease election that used to be silent.
 * Store-independent; the lease engine reports what its acquisition replies and notices showed.
 *
 * - The quarantine after the store lost its epoch holds every node back for one electionPeriod
 *   (30 s at the seed's defaults on a brand-new Redis): one `log` line when it is first seen.
 * - Two processes with one node name: the lease key names this node, but this engine does not
 *   hold it, so it neither leads nor follows, never ready. A key left by an earlier incarnation of
 *   this process is the innocent case: it is never renewed and expires within one electionPeriod.
 *   So the warning comes when such a key was acquired after this engine's first reply (a fresh
 *   token), or when one token stays held for two electionPeriods after it was first seen (someone
 *   renews it; a stale key is gone within one). The other innocent case is this engine's own
 *   acquisition that the store granted but whose reply never came: a fresh token seen next after
 *   such an acquisition is waited out like a stale key, since nobody renews it either.
 */
export class LeaseLog {
  private quarantineSeen = false;
  private replies = 0;
  /** An acquisition ended without a reply: the store may have granted it to this engine. */
  private unanswered = false;
  private readonly held = new Set<number>();
  private sameName: { token: number; since: number } | undefined;
  private readonly warnings: RateLimitedLog;

  constructor(
    private readonly logger: ClusterLogger,
    private readonly clock: Clock,
    private readonly options: LeaseLogOptions,
  ) {
    this.warnings = new RateLimitedLog((line) => logger.warn(line), clock, options.everyMs);
  }

  /** An acquisition reply: the quarantine value (with its remaining ms), or anything else. */
  acquisitionReply(quarantinedForMs: number | undefined): void {
    if (quarantinedForMs === undefined) {
      this.quarantineSeen = false;
      return;
    }
    if (this.quarantineSeen) return;
    this.quarantineSeen = true;
    const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 100) / 10)} s`;
    this.logger.log(
      `${this.options.prefix}: no node may lead for another ${seconds(quarantinedForMs)}: the store had no valid ` +
        `fencing epoch (a new or emptied store, or an invalid value), so ${this.options.heldIn} is quarantined for one ` +
        `electionPeriod (${seconds(this.options.electionPeriod)}) in case a leader still acts on the lost lease.`,
    );
  }

  /** An acquisition failed or timed out: whether the store granted it is unknown. */
  acquisitionUnanswered(): void {
    this.unanswered = true;
  }

  /** This node now holds the lease with `token`. */
  holding(token: number): void {
    this.held.add(token);
  }

  /**
   * Who holds the lease (`undefined`: nobody), as an acquisition reply showed, or an `acquired`
   * notice (a holder that acquired just now).
   */
  holderSeen(holder: { node: string; token: number } | undefined, from: 'reply' | 'notice'): void {
    const firstReply = from === 'reply' && this.replies++ === 0;
    const perhapsOurs = this.unanswered;
    if (from === 'reply') this.unanswered = false;
    if (!holder || holder.node !== this.options.nodeName || this.held.has(holder.token)) {
      this.sameName = undefined;
      return;
    }
    const now = this.clock.now();
    if (this.sameName?.token !== holder.token) {
      this.sameName = { token: holder.token, since: now };
      // Perhaps this process's previous run, or this engine's own unanswered acquisition: wait and see.
      if (firstReply || perhapsOurs) return;
    } else if (now - this.sameName.since <= 2 * this.options.electionPeriod) {
      // A stale key is gone within one period of being seen; the second is slack for late replies.
      return;
    }
    this.warnings.report(
      'same-name',
      `${this.options.prefix}: another process holds the lease under this node's name "${this.options.nodeName}" ` +
        `(token ${holder.token}), so this one can neither lead nor follow it. Give every process its own ` +
        '`nodeName` or CLUSTER_NODE_NAME (the default is the host name)',
    );
  }
}
