import type { Clock } from '../../clock.js';
import { errorText, type ClusterLogger } from '../../logger.js';

/**
 * Rate-limited warnings for a Redis that keeps failing: the first failure of each kind is logged at
 * once, repeats at most once per `everyMs` with a count, and the first success after any failure
 * logs one "recovered" line. A Redis that is down for an hour writes a handful of lines, not one
 * per renewal.
 */
export class FailureLog {
  private readonly kinds = new Map<string, { lastLoggedAt: number; suppressed: number }>();
  private failing = false;

  constructor(
    private readonly logger: ClusterLogger,
    private readonly clock: Clock,
    private readonly everyMs: number,
  ) {}

  failed(kind: string, error: unknown): void {
    this.failing = true;
    const now = this.clock.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.lastLoggedAt < this.everyMs) {
      seen.suppressed++;
      return;
    }
    const repeats = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more since the last report)` : '';
    this.logger.warn(`Redis lease: ${kind} failed: ${errorText(error)}${repeats}.`);
    this.kinds.set(kind, { lastLoggedAt: now, suppressed: 0 });
  }

  recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.kinds.clear();
    this.logger.log('Redis lease: Redis answers again.');
  }
}
