/**
 * Runs a job unless its previous run is still busy; a run that finds it busy is skipped and
 * counted (DESIGN §3: a leader job never overlaps itself). A job that throws, synchronously or
 * not, is reported to `onError` and runs again at its next trigger.
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private skipCount = 0;

  constructor(
    private readonly job: () => unknown,
    private readonly onError: (error: unknown) => void,
    private readonly onSkip?: () => void,
  ) {}

  get skipped(): number {
    return this.skipCount;
  }

  trigger(): void {
    if (this.running) {
      this.skipCount++;
      this.onSkip?.();
      return;
    }
    let result: unknown;
    try {
      result = this.job();
    } catch (error) {
      this.onError(error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') return;
    const run: Promise<void> = Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => this.onError(error),
    );
    this.running = run;
    void run.then(() => {
      if (this.running === run) this.running = undefined;
    });
  }

  /** Resolves when the current run, if any, has finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
