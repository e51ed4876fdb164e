import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { JobTracker } from './job-tracker.js';
import type { LeaderWork } from './leader-work.js';

/**
 * Runs one tracker's callbacks in order, each awaited before the next, errors logged and
 * swallowed. It also remembers whether the tracker was told it leads, so it is told to stop
 * exactly once, and never told to stop a leadership it was not told of.
 */
export class TrackerRunner {
  private tail: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    readonly tracker: JobTracker,
    private readonly logger: ClusterLogger,
  ) {}

  /**
   * onStartedLeading is leader work: it starts through the leadership, so a lease that ended
   * before the callback's turn came means it is not called at all (nor onStoppedLeading after it).
   */
  startedLeading(work: LeaderWork): void {
    this.enqueue('onStartedLeading', () => {
      const run = work.run(`${this.tracker.name}.onStartedLeading`, (ctx) => this.tracker.onStartedLeading?.(ctx));
      if (run === false) return undefined;
      this.leading = true;
      return run;
    });
  }

  stoppedLeading(): void {
    this.enqueue('onStoppedLeading', () => {
      if (!this.leading) return undefined;
      this.leading = false;
      return this.tracker.onStoppedLeading?.();
    });
  }

  newLeader(leaderName: string): void {
    this.enqueue('onNewLeader', () => this.tracker.onNewLeader?.(leaderName));
  }

  releaseMaster(): void {
    this.enqueue('onReleaseMaster', () => this.tracker.onReleaseMaster?.());
  }

  /** Resolves when every callback queued so far has finished. */
  idle(): Promise<void> {
    return this.tail;
  }

  private enqueue(callback: string, run: () => unknown): void {
    this.tail = this.tail.then(async () => {
      try {
        await run();
      } catch (error) {
        this.logger.error(
          `Job tracker "${this.tracker.name}" failed in ${callback}: ${errorText(error)}`,
          errorStack(error),
        );
      }
    });
  }
}
