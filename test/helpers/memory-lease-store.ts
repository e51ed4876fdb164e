import type { AcquireReply, HeldLease, LeaseClaim, LeaseReading, LeaseStore } from '../../lib/core/election/lease/lease-store.js';

/**
 * A lease store in memory, timed by `performance.now()` (fake or real): what the README's
 * "a store of your own" describes, and a fake for the engine's timing rules.
 */
export class MemoryStore implements LeaseStore {
  readonly leaseName = 'memory';
  value: string | undefined;
  expiresAt = 0;
  epoch = 0;
  /** While set, every command waits for it (a paused or unreachable store). */
  hang: Promise<void> | undefined;
  published: string[] = [];
  /** Every watcher, in order; `listener` is the latest. */
  readonly listeners: ((message: string) => void)[] = [];
  /** Announcements reach the watchers (off: the test delivers notices by hand). */
  deliver = false;
  calls: string[] = [];

  private live(): string | undefined {
    return performance.now() < this.expiresAt ? this.value : undefined;
  }

  private async call(name: string): Promise<void> {
    this.calls.push(name);
    if (this.hang) await this.hang;
  }

  private reading(): LeaseReading {
    const value = this.live();
    const parsed = value === undefined ? undefined : (JSON.parse(value) as { node: unknown; token: unknown });
    return { holder: parsed && { ...parsed, raw: value }, remainingMs: this.expiresAt - performance.now(), quarantined: false };
  }

  async acquire(claim: LeaseClaim): Promise<AcquireReply> {
    await this.call('acquire');
    if (this.live()) return { acquired: false, ...this.reading() };
    this.epoch = Math.max(this.epoch + 1, claim.highestToken + 1);
    this.value = JSON.stringify({ node: claim.node, token: this.epoch });
    this.expiresAt = performance.now() + claim.periodMs;
    return { acquired: true, ...this.reading() };
  }

  async renew(lease: HeldLease, periodMs: number): Promise<boolean> {
    await this.call('renew');
    if (this.live() !== lease.raw) return false;
    this.expiresAt = performance.now() + periodMs;
    return true;
  }

  async release(lease: HeldLease): Promise<boolean> {
    await this.call('release');
    if (this.live() !== lease.raw) return false;
    this.value = undefined;
    return true;
  }

  async read(): Promise<LeaseReading> {
    await this.call('read');
    return this.reading();
  }

  get listener(): ((message: string) => void) | undefined {
    return this.listeners.at(-1);
  }

  async announce(message: string): Promise<void> {
    this.published.push(message);
    if (this.deliver) for (const listener of this.listeners) listener(message);
  }

  watch(onMessage: (message: string) => void): void {
    this.listeners.push(onMessage);
  }

  async close(): Promise<void> {}
}

