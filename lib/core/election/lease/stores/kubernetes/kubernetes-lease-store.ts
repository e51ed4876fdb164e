import type { Clock } from '../../../../clock.js';
import type { AcquireReply, HeldLease, LeaseClaim, LeaseReading, LeaseStore, ReplacedValue, StoredHolder } from '../../lease-store.js';
import { apiError, statusOf } from './api-errors.js';
import type { LeaseApiLike, LeaseObject, LeaseRequestOptions } from './lease-api.js';
import { leaseBody, parseLease, type LeaseRecord } from './lease-record.js';
import { ObservedTime } from './observed-time.js';

export interface KubernetesStoreOptions {
  readonly api: LeaseApiLike;
  readonly namespace: string;
  readonly name: string;
  /** The API server's address, for log lines. */
  readonly server: string;
  /** How long one request may take before it is aborted (the lease loop's deadline). */
  readonly requestTimeoutMs: number;
  /** This node's electionPeriod: what read() judges a Lease's duration against. */
  readonly periodMs: number;
  readonly clock: Clock;
}

const settled = <T>(value: T) => ({ toPromise: () => Promise.resolve(value) });

/** 409 Conflict (resourceVersion precondition failed, or AlreadyExists on create): someone wrote first. */
const CONFLICT = 409;
/** A renewal or release that meets 409 re-reads and tries again, this many times in all. */
const WRITE_TRIES = 3;

type Read =
  | { lease: LeaseObject; record: LeaseRecord; invalid?: undefined }
  | { lease: LeaseObject | undefined; record: undefined; invalid?: ReplacedValue };

/**
 * The lease as a `coordination.k8s.io/v1` Lease (DESIGN §5, issue #14), after client-go's
 * leaderelection: every write is a PUT conditioned on the resourceVersion read just before (409:
 * someone else wrote; re-read), `leaseTransitions` is the fencing token, and expiry is judged by
 * observed time (observed-time.ts), never by the holder's timestamps.
 *
 * Why the engine's send-time rule still holds for the holder: the holder acts until the send time
 * of its last successful write plus electionPeriod·(1−ρ)−δ. Another node counts the lease from when
 * it first *read* that record, which is after the write reached the API server, so after that send
 * time, and waits a whole leaseDurationSeconds (≥ electionPeriod) on its own monotonic clock. The
 * holder has stopped acting before anyone can take over, as long as clock rates differ by less than ρ.
 * The API server's time is not available to us, so like every mode the holder counts its own lease
 * from its send time, and no node reads time from the Lease.
 *
 * Tokens only grow: an acquisition writes max(leaseTransitions, the highest token this node has
 * seen) + 1, so a Lease deleted and recreated (leaseTransitions from 0) never lowers them.
 */
export class KubernetesLeaseStore implements LeaseStore {
  readonly label = 'Kubernetes';
  readonly leaseName: string;
  private readonly observed: ObservedTime;
  /** Aborts every request in flight on close, so nothing keeps the event loop alive after it. */
  private readonly closing = new AbortController();

  constructor(private readonly options: KubernetesStoreOptions) {
    this.leaseName = `Lease ${options.namespace}/${options.name}`;
    this.observed = new ObservedTime(options.clock);
  }

  async acquire(claim: LeaseClaim): Promise<AcquireReply> {
    const read = await this.read_(claim.highestToken, claim.periodMs);
    if (!read.lease) return this.replace(undefined, claim, undefined);
    if (!read.record) return this.replace(read.lease, claim, read.invalid);
    const { lease, record } = read;
    const reading = this.readingOf(record);
    if (record.holder !== undefined || record.quarantined) {
      // client-go: a record seen unchanged for its duration on this node's clock has expired.
      if ((reading.remainingMs as number) > 0) return { acquired: false, ...reading };
    }
    const token = Math.max(record.token, claim.highestToken) + 1;
    const body = leaseBody(lease, { holder: claim.node, token, periodMs: claim.periodMs, acquired: true }, this.options.clock.wallTime());
    const written = await this.write('update', body);
    if (!written) return { acquired: false, holder: undefined, remainingMs: 0, quarantined: false };
    this.observe(written);
    const holder: StoredHolder = { node: claim.node, token, raw: { resourceVersion: written.metadata?.resourceVersion } };
    return { acquired: true, holder, remainingMs: claim.periodMs, quarantined: false };
  }

  async renew(lease: HeldLease, periodMs: number): Promise<boolean> {
    return this.rewrite(lease, periodMs, false);
  }

  /** client-go's ReleaseOnCancel: the holder cleared, the token kept, only while we still hold it. */
  async release(lease: HeldLease): Promise<boolean> {
    return this.rewrite(lease, 0, true);
  }

  async read(): Promise<LeaseReading> {
    const { record } = await this.read_(0, this.options.periodMs);
    // Missing or invalid: nobody holds it as far as a reader can tell; acquire decides what to do.
    return record ? this.readingOf(record) : { holder: undefined, remainingMs: 0, quarantined: false };
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  // ---- requests ------------------------------------------------------------------------------------

  private readingOf(record: LeaseRecord): LeaseReading {
    const remainingMs = this.observed.remainingMs(record.version, record.durationMs);
    const holder = record.holder === undefined ? undefined : { node: record.holder, token: record.token, raw: { resourceVersion: record.version } };
    return { holder, remainingMs, quarantined: record.quarantined && remainingMs > 0 };
  }

  /**
   * This node's own write counts as seen when its answer arrives: a quarantine it wrote lasts one
   * duration from then on its clock, never from an earlier instant.
   */
  private observe(written: LeaseObject): void {
    const version = written.metadata?.resourceVersion;
    if (typeof version === 'string') this.observed.seen(version);
  }

  /** The Lease and, when it is valid, its record; no Lease at all on 404. */
  private async read_(highestToken: number, periodMs: number): Promise<Read> {
    const lease = await this.get();
    if (!lease) return { lease: undefined, record: undefined };
    const parsed = parseLease(lease, this.leaseName, highestToken, periodMs);
    return 'record' in parsed ? { lease, record: parsed.record } : { lease, record: undefined, invalid: parsed.invalid };
  }

  /**
   * A deleted or invalid Lease becomes a quarantine: unheld, the token kept as high as this node
   * knows, and taken by nobody until seen unchanged for one period (LeaseStore.acquire).
   */
  private async replace(
    lease: LeaseObject | undefined,
    claim: LeaseClaim,
    invalid: ReplacedValue | undefined,
  ): Promise<AcquireReply> {
    const previous = lease ?? { metadata: { name: this.options.name, namespace: this.options.namespace } };
    const stored = lease?.spec?.leaseTransitions;
    const keep = invalid?.kind !== 'counter' && Number.isSafeInteger(stored) && stored! >= 0 ? stored! : 0;
    const spec = { holder: undefined, token: Math.max(keep, claim.highestToken), periodMs: claim.periodMs, acquired: false };
    const written = await this.write(lease ? 'update' : 'create', leaseBody(previous, spec, this.options.clock.wallTime()));
    if (written) this.observe(written);
    return { acquired: false, holder: undefined, remainingMs: claim.periodMs, quarantined: true, replaced: invalid ? [invalid] : undefined };
  }

  /** Renews (release = false) or releases the lease, only while `held` still holds it; 409 re-reads. */
  private async rewrite(held: HeldLease, periodMs: number, release: boolean): Promise<boolean> {
    for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
      const lease = await this.get();
      const spec = lease?.spec;
      const stillOurs =
        lease && spec?.holderIdentity === held.node && spec.leaseTransitions === held.token && typeof lease.metadata?.resourceVersion === 'string';
      if (!stillOurs) return false;
      const next = { holder: release ? undefined : held.node, token: held.token, periodMs: release ? 1000 : periodMs, acquired: false, released: release };
      if (await this.write('update', leaseBody(lease, next, this.options.clock.wallTime()))) return true;
    }
    return false;
  }

  private async get(): Promise<LeaseObject | undefined> {
    const { api, name, namespace } = this.options;
    try {
      return await api.readNamespacedLease({ name, namespace }, this.requestOptions());
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw apiError(error, 'get', this.leaseName, this.options.server);
    }
  }

  /** A create, or a PUT conditioned on the body's resourceVersion; undefined on 409 Conflict. */
  private async write(verb: 'create' | 'update', body: LeaseObject): Promise<LeaseObject | undefined> {
    const { api, name, namespace } = this.options;
    try {
      return verb === 'create'
        ? await api.createNamespacedLease({ namespace, body }, this.requestOptions())
        : await api.replaceNamespacedLease({ name, namespace, body }, this.requestOptions());
    } catch (error) {
      if (statusOf(error) === CONFLICT) return undefined;
      throw apiError(error, verb, this.leaseName, this.options.server);
    }
  }

  /** Every request ends by its answer, its deadline or close(). */
  private requestOptions(): LeaseRequestOptions {
    const signal = AbortSignal.any([this.closing.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]);
    return {
      middleware: [{ pre: (context) => (context.setSignal(signal), settled(context)), post: settled }],
      middlewareMergeStrategy: 'append',
    };
  }
}
