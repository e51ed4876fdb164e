import { SingleFlight } from './single-flight.js';

/** A fixed-rate, non-overlapping repetition of one job, started and stopped with leadership. */
export class PeriodicRunner {
  private timer: NodeJS.Timeout | undefined;
  private readonly flight: SingleFlight;

  constructor(
    private readonly everyMs: number,
    job: () => unknown,
    onError: (error: unknown) => void,
    onSkip?: () => void,
  ) {
    this.flight = new SingleFlight(job, onError, onSkip);
  }

  get skipped(): number {
    return this.flight.skipped;
  }

  /** (Re)starts the repetition; the first run is one interval away unless `runNow`. */
  start(runNow: boolean): void {
    this.stop();
    this.timer = setInterval(() => this.flight.trigger(), this.everyMs);
    if (runNow) this.flight.trigger();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  idle(): Promise<void> {
    return this.flight.idle();
  }
}
