import type { Clock } from '../../../../clock.js';

/**
 * client-go's observed-time rule (tools/leaderelection): a Lease expires when this node has seen
 * the same record (the same resourceVersion) for its whole duration on this node's own monotonic
 * clock, counted from when this node first read that record. The holder's renewTime is never
 * compared with this pod's wall clock, so clocks that are hours apart change nothing.
 */
export class ObservedTime {
  private version: string | undefined;
  private since = 0;

  constructor(private readonly clock: Clock) {}

  /** Notes a read of the record `version`; returns how long this node has seen it unchanged, ms. */
  seen(version: string): number {
    const now = this.clock.now();
    if (version !== this.version) {
      this.version = version;
      this.since = now;
    }
    return now - this.since;
  }

  /** Time left on a record lasting `durationMs` that was just read (`seen`). */
  remainingMs(version: string, durationMs: number): number {
    return durationMs - this.seen(version);
  }
}
