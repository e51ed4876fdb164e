import type { Clock } from '../clock.js';
import type { ViolationReason } from '../errors.js';
import type { ClusterLogger } from '../logger.js';

/** How often one kind of violation may reach the log; the rest are counted and summed up. */
const LOG_EVERY_MS = 10_000;

/**
 * Counts dropped connections by reason and logs them without letting a flood of bad connections
 * flood the log: at most one line per reason per LOG_EVERY_MS, saying how many were held back.
 */
export class ViolationLog {
  private readonly counts = new Map<ViolationReason, number>();
  private readonly lastLogged = new Map<ViolationReason, number>();
  private readonly heldBack = new Map<ViolationReason, number>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: ClusterLogger,
    private readonly selfName: string,
  ) {}

  record(reason: ViolationReason, detail: string, remote: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const now = this.clock.now();
    const last = this.lastLogged.get(reason);
    if (last !== undefined && now - last < LOG_EVERY_MS) {
      this.heldBack.set(reason, (this.heldBack.get(reason) ?? 0) + 1);
      return;
    }
    const held = this.heldBack.get(reason) ?? 0;
    this.heldBack.delete(reason);
    this.lastLogged.set(reason, now);
    const more = held > 0 ? ` (${held} more like it not logged)` : '';
    this.logger.warn(`Node "${this.selfName}" dropped a connection from ${remote} (${reason}): ${detail}${more}`);
  }

  snapshot(): Partial<Record<ViolationReason, number>> {
    return Object.fromEntries(this.counts);
  }
}
