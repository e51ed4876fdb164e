import type { Clock } from '../../clock.js';
import type { ClusterLogger } from '../../logger.js';
import { RateLimitedLog } from '../../rate-limited-log.js';
import { FailureLog } from './failure-log.js';
import type { LeaseEngineConfig } from './lease-config.js';
import type { LeaseReading, LeaseStore } from './lease-store.js';
import { checkHolder, parseNotice, remainingOf, shown, type Holder, type Notice } from './lease-values.js';

/** Another node's lease as last seen; `asOf` orders observations that arrive out of order. */
export interface KnownLeader {
  readonly node: string;
  readonly token: number;
  readonly until: number;
  readonly asOf: number;
}

const LOG_EVERY_MS = 30_000;

/**
 * What a lease engine learns from its store: the highest token seen, the other node whose lease
 * is valid now, and the values it refused. DESIGN §5: nothing read from a store is adopted before
 * it is validated; an invalid value is logged (rate-limited, per place) and counted.
 */
export class LeaseWatch {
  /** Highest token seen: the view's term, and the floor for the next token. */
  term = 0;
  leader: KnownLeader | undefined;
  readonly logEveryMs: number;
  readonly failures: FailureLog;
  private readonly invalid: RateLimitedLog;
  private leaseName = 'the lease';
  private noticesName = 'the notices';

  constructor(
    private readonly config: LeaseEngineConfig,
    private readonly clock: Clock,
    logger: ClusterLogger,
  ) {
    this.logEveryMs = Math.max(LOG_EVERY_MS, config.lease.electionPeriod);
    this.failures = new FailureLog(logger, clock, this.logEveryMs, config.label);
    this.invalid = new RateLimitedLog((line) => logger.error(line), clock, this.logEveryMs);
  }

  get invalidValues(): number {
    return this.invalid.count;
  }

  attach(store: LeaseStore): void {
    this.leaseName = store.leaseName;
    this.noticesName = store.noticesName ?? store.leaseName;
  }

  /** The holder and time left of a reply, validated; what fails the checks is logged and dropped. */
  read(reading: LeaseReading): { holder: Holder | undefined; remainingMs: number } {
    for (const { where, value, kind } of reading.replaced ?? []) {
      this.refuse(
        where,
        value,
        kind === 'counter'
          ? `${this.config.heldIn} is quarantined for one electionPeriod, then tokens continue above ${this.term}`
          : 'it was replaced by a quarantine value for one electionPeriod, then the nodes elect again',
      );
    }
    const remaining = remainingOf(reading.remainingMs, this.config.lease.electionPeriod);
    if (!('ms' in remaining)) {
      this.refuse(this.leaseName, reading.remainingMs, 'its time left was treated as none');
    }
    const remainingMs = 'ms' in remaining ? remaining.ms : 0;
    if (!reading.holder) return { holder: undefined, remainingMs };
    const holder = checkHolder(reading.holder, this.term);
    if (!holder) this.refuse(this.leaseName, reading.holder.raw, 'treated as held by nobody until it expires');
    return { holder, remainingMs };
  }

  /** A notice from the store's channel, or undefined (logged) when it is not one we send. */
  notice(message: string): Notice | undefined {
    const notice = parseNotice(message, this.term);
    if (!notice) this.refuse(this.noticesName, message, 'the notice was ignored');
    return notice;
  }

  raise(token: number): void {
    this.term = Math.max(this.term, token);
  }

  forget(): void {
    this.leader = undefined;
  }

  /** The known leader whose lease is still valid at `now`; an expired one is forgotten. */
  current(now: number): KnownLeader | undefined {
    if (this.leader && now >= this.leader.until) this.leader = undefined;
    return this.leader;
  }

  /**
   * Records who holds the lease as of `asOf`; false when the news is older than what we know
   * (a later notice, or our own lease `heldToken`), and nothing changed.
   */
  observe(holder: Holder | undefined, remainingMs: number, asOf: number, heldToken: number | undefined): boolean {
    if (this.leader && asOf < this.leader.asOf) return false; // a notice newer than this reply already told us
    if (heldToken !== undefined && (!holder || holder.token <= heldToken)) return false; // older than our own lease
    if (holder) this.raise(holder.token);
    this.leader =
      holder && remainingMs > 0 ? { node: holder.node, token: holder.token, until: this.clock.now() + remainingMs, asOf } : undefined;
    return true;
  }

  /** Logs an invalid value read from the store as an error naming where; it is never adopted. */
  private refuse(where: string, value: unknown, outcome: string): void {
    this.invalid.report(
      where,
      `${this.config.label} lease: "${where}" held ${shown(value)}, not a lease value this cluster writes (positive integer ` +
        `tokens up to 2^48 and within 2^32 of the highest seen, ${this.term}); it was not adopted: ${outcome}`,
    );
  }
}
