import type { Clock } from '../../clock.js';
import { errorText, type ClusterLogger } from '../../logger.js';
import { RateLimitedLog } from '../../rate-limited-log.js';

/**
 * Rate-limited warnings for a lease store that keeps failing: the first failure of each kind is logged at
 * once, repeats at most once per `everyMs` with a count, and the first success after any failure
 * logs one "recovered" line. A store that is down for an hour writes a handful of lines, not one
 * per renewal.
 */
export class FailureLog {
  private readonly limited: RateLimitedLog;
  private failing = false;

  constructor(
    private readonly logger: ClusterLogger,
    clock: Clock,
    everyMs: number,
    /** How lines name the store: `Redis`. */
    private readonly label: string,
  ) {
    this.limited = new RateLimitedLog((line) => logger.warn(line), clock, everyMs);
  }

  failed(kind: string, error: unknown): void {
    this.failing = true;
    this.limited.report(kind, `${this.label} lease: ${kind} failed: ${errorText(error)}`);
  }

  recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.limited.reset();
    this.logger.log(`${this.label} lease: ${this.label} answers again.`);
  }
}
