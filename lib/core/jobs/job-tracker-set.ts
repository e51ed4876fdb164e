import { ClusterConfigError } from '../errors.js';
import type { ClusterLogger } from '../logger.js';
import type { JobTracker } from './job-tracker.js';
import type { LeaderWork } from './leader-work.js';
import { TrackerRunner } from './tracker-runner.js';

/** What a tracker added mid-run must catch up on. */
export interface LeadershipSnapshot {
  readonly leaderName: string | undefined;
  /** The current leadership, if this node leads. */
  readonly work: LeaderWork | undefined;
}

/** The registered trackers, by name, and the fan-out of leadership changes to them. */
export class JobTrackerSet {
  private readonly runners = new Map<string, TrackerRunner>();

  constructor(private readonly logger: ClusterLogger) {}

  get names(): string[] {
    return [...this.runners.keys()];
  }

  /**
   * A tracker added after this node became leader (or learned its leader) is brought up to date
   * at once, so registration order against startUp() never matters.
   */
  add(tracker: JobTracker, now: LeadershipSnapshot): void {
    if (typeof tracker?.name !== 'string' || tracker.name === '') {
      throw new ClusterConfigError('A job tracker needs a non-empty string `name`.');
    }
    if (this.runners.has(tracker.name)) {
      throw new ClusterConfigError(
        `A job tracker named "${tracker.name}" is already registered; give each tracker a unique name.`,
      );
    }
    const runner = new TrackerRunner(tracker, this.logger);
    this.runners.set(tracker.name, runner);
    if (now.work && !now.work.context.signal.aborted) runner.startedLeading(now.work);
    if (now.leaderName !== undefined) runner.newLeader(now.leaderName);
  }

  /** Removes a tracker; a leading one gets its onStoppedLeading first. Resolves when it is idle. */
  remove(trackerOrName: JobTracker | string): Promise<void> {
    const name = typeof trackerOrName === 'string' ? trackerOrName : trackerOrName.name;
    const runner = this.runners.get(name);
    if (!runner) return Promise.resolve();
    this.runners.delete(name);
    runner.stoppedLeading();
    return runner.idle();
  }

  startedLeading(work: LeaderWork): void {
    for (const runner of this.runners.values()) runner.startedLeading(work);
  }

  stoppedLeading(): void {
    for (const runner of this.runners.values()) runner.stoppedLeading();
  }

  newLeader(leaderName: string): void {
    for (const runner of this.runners.values()) runner.newLeader(leaderName);
  }

  releaseMaster(): void {
    for (const runner of this.runners.values()) runner.releaseMaster();
  }

  /** Names of trackers whose callbacks are still running when `timeout` resolves first. */
  async drain(timeout: Promise<void>): Promise<string[]> {
    const pending = new Set(this.runners.keys());
    const all = [...this.runners].map(([name, runner]) =>
      runner.idle().then(() => void pending.delete(name)),
    );
    await Promise.race([Promise.all(all), timeout]);
    return [...pending];
  }
}
