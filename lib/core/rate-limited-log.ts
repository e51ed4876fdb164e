import type { Clock } from './clock.js';

/**
 * Logs a recurring problem without letting its repeats flood the log: the first report of each
 * kind is written at once, repeats at most once per `everyMs` with how many were left out, and
 * every report is counted. A peer or a store value that stays bad for an hour writes a handful of
 * lines, not one per message or per attempt.
 */
export class RateLimitedLog {
  private readonly kinds = new Map<string, { lastLoggedAt: number; suppressed: number }>();
  private total = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: Clock,
    private readonly everyMs: number,
  ) {}

  /** How many reports were made, logged or not. */
  get count(): number {
    return this.total;
  }

  report(kind: string, line: string): void {
    this.total++;
    const now = this.clock.now();
    const seen = this.kinds.get(kind);
    if (seen && now - seen.lastLoggedAt < this.everyMs) {
      seen.suppressed++;
      return;
    }
    const repeats = seen && seen.suppressed > 0 ? ` (${seen.suppressed} more since the last report)` : '';
    this.write(`${line}${repeats}.`);
    this.kinds.set(kind, { lastLoggedAt: now, suppressed: 0 });
  }

  /** Forgets every kind: the next report of each is logged at once. */
  reset(): void {
    this.kinds.clear();
  }
}
