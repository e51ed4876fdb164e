import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { JobTracker } from './job-tracker.js';
import type { LeaderContext } from './leader-context.js';

/**
 * Runs one tracker's callbacks in order, each awaited before the next, errors logged and
 * swallowed. It also remembers whether the tracker is leading, so a removed or closed tracker is
 * told to stop exactly once.
 */
export class TrackerRunner {
  private tail: Promise<void> = Promise.resolve();
  private leading = false;

  constructor(
    readonly tracker: JobTracker,
    private readonly logger: ClusterLogger,
  ) {}

  get isLeading(): boolean {
    return this.leading;
  }

  startedLeading(context: LeaderContext): void {
    this.leading = true;
    this.enqueue('onStartedLeading', () => this.tracker.onStartedLeading?.(context));
  }

  stoppedLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    this.enqueue('onStoppedLeading', () => this.tracker.onStoppedLeading?.());
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
