import { CronJob, validateCronExpression } from 'cron';
import { ClusterConfigError } from '../errors.js';
import type { LeaderJobRunner } from './default-job-tracker.js';
import type { JobTracker } from './job-tracker.js';
import type { LeaderContext } from './leader-context.js';
import { SingleFlight } from './single-flight.js';

export interface MasterCronOptions {
  /** IANA time zone for the expression, e.g. 'Europe/Berlin'; the process's zone by default. */
  timeZone?: string;
}

export function assertCronExpression(expression: string, where: string): void {
  const check = validateCronExpression(expression);
  if (!check.valid) {
    throw new ClusterConfigError(
      `${where}: "${expression}" is not a valid cron expression (${check.error?.message ?? 'unparsable'}).`,
    );
  }
}

/**
 * A cron schedule that only ticks on the acting leader: started on SignMaster, stopped on
 * StopMaster; a tick that finds the previous run busy is skipped. Each run starts through the
 * leadership (`runAsLeader`), which checks the lease on the clock and logs failures.
 */
export class CronLeaderJob implements JobTracker {
  private cron: CronJob | undefined;
  private context: LeaderContext | undefined;
  private readonly flight: SingleFlight;

  constructor(
    readonly name: string,
    private readonly expression: string,
    run: (context: LeaderContext) => unknown,
    leader: LeaderJobRunner,
    onError: (error: unknown) => void,
    private readonly options: MasterCronOptions = {},
  ) {
    assertCronExpression(expression, name);
    this.flight = new SingleFlight(() => {
      const context = this.context;
      return context ? leader.runAsLeader(name, context, run) : undefined;
    }, onError, () => leader.leaderJobSkipped?.(name, 'busy'));
  }

  get skipped(): number {
    return this.flight.skipped;
  }

  onStartedLeading(context: LeaderContext): void {
    this.context = context;
    this.stopSchedule();
    this.cron = new CronJob(this.expression, () => this.flight.trigger(), null, false, this.options.timeZone);
    this.cron.start();
  }

  onStoppedLeading(): void {
    this.stopSchedule();
    this.context = undefined;
  }

  idle(): Promise<void> {
    return this.flight.idle();
  }

  private stopSchedule(): void {
    void this.cron?.stop();
    this.cron = undefined;
  }
}
