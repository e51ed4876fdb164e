import { withDeadline } from '../../deadline.js';

export interface LoopSteps {
  /** The operation to run now (renewal or acquisition), or undefined when there is none. */
  next(): { kind: string; run: Promise<void> } | undefined;
  /** How long until the next attempt. */
  intervalMs(): number;
  /** How long one operation may take before the loop moves on without it. */
  readonly deadlineMs: number;
  deadlineError(): Error;
  failed(kind: string, error: unknown): void;
}

/**
 * The lease engine's rhythm: one store operation at a time, one attempt per interval, and an
 * attempt asked for meanwhile run right after the current one. An operation the store never
 * answers must not stall the loop: after its deadline the loop goes on. Its late effect is safe
 * either way: a late renewal or acquisition only keeps a lease nobody acts on, and it expires.
 */
export class LeaseLoop {
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly steps: LoopSteps) {}

  /** One attempt now, and the next one scheduled. */
  tick(): void {
    this.schedule();
    this.attempt();
  }

  /** Restarts the interval from now (the role changed, and with it the interval). */
  schedule(): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), this.steps.intervalMs());
  }

  /** Attempts now, or right after the operation in flight. */
  attempt(): void {
    if (this.stopped) return;
    if (this.inflight) {
      this.again = true;
      return;
    }
    this.again = false;
    const op = this.steps.next();
    if (!op) return;
    this.inflight = withDeadline(op.run, this.steps.deadlineMs, () => this.steps.deadlineError())
      .catch((error: unknown) => this.steps.failed(op.kind, error))
      .finally(() => {
        this.inflight = undefined;
        if (this.again) this.attempt();
      });
  }

  /** An attempt right after the operation in flight, when the role it ran for has changed. */
  again_(): void {
    this.again = true;
  }

  /** No more attempts. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Resolves when the operation in flight is over; rejects after `boundMs`. */
  settled(boundMs: number): Promise<void> {
    return withDeadline(this.inflight ?? Promise.resolve(), boundMs, () => this.steps.deadlineError());
  }
}
