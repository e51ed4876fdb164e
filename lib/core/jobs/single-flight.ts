/**
 * Runs a job unless its previous run is still busy; a run that finds it busy is skipped and
 * counted (DESIGN §3: a leader job never overlaps itself).
 */
export class SingleFlight {
  private running: Promise<void> | undefined;
  private runCount = 0;
  private skipCount = 0;

  constructor(
    private readonly job: () => unknown,
    private readonly onError: (error: unknown) => void,
  ) {}

  get runs(): number {
    return this.runCount;
  }

  get skipped(): number {
    return this.skipCount;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  trigger(): void {
    if (this.running) {
      this.skipCount++;
      return;
    }
    this.runCount++;
    this.running = (async () => {
      try {
        await this.job();
      } catch (error) {
        this.onError(error);
      } finally {
        this.running = undefined;
      }
    })();
  }

  /** Resolves when the current run, if any, has finished. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
