import { ClusterConfigError } from '../errors.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { JobTracker } from './job-tracker.js';
import type { LeaderContext } from './leader-context.js';
import { PeriodicRunner } from './periodic-runner.js';

/**
 * What a DefaultJobTracker calls; `DefaultCaller` is a no-op base implementing it. A caller without
 * `masterCall` (or `slaverCall`) gets no timer for it at all.
 */
export interface JobCaller {
  masterCall?(context: LeaderContext): unknown;
  slaverCall?(leaderName: string): unknown;
  onStartedLeading?(context: LeaderContext): unknown;
  onStoppedLeading?(): unknown;
  onNewLeader?(leaderName: string): unknown;
  onReleaseMaster?(): unknown;
}

/** Starts leader jobs through the leadership they belong to (the cluster's `LeaderWork`). */
export interface LeaderJobRunner {
  /**
   * Runs `job` as part of the leadership `context` was given for, if that leadership's lease still
   * holds on the clock; `false` if it did not run. The returned promise never rejects: failures are
   * logged with `name`.
   */
  runAsLeader(name: string, context: LeaderContext, job: (context: LeaderContext) => unknown): false | Promise<void>;
  /** A scheduled run of `name` did not start because its previous run was still busy (for metrics). */
  leaderJobSkipped?(name: string, reason: 'busy'): void;
}

/** The part of the cluster a DefaultJobTracker needs. */
export interface JobHost extends LeaderJobRunner {
  addJobTracker(tracker: JobTracker): void;
  removeJobTracker(tracker: JobTracker | string): Promise<void>;
  getMyName(): string;
  readonly logger: ClusterLogger;
}

/** An interval in seconds (the seed's unit), or `{ ms }` for finer control. */
export type IntervalSpec = number | { readonly ms: number };

export interface DefaultJobTrackerOptions {
  /** Tracker name; defaults to the caller's class name. */
  name?: string;
  /** Run masterCall as soon as leadership starts instead of one interval later. */
  runOnStart?: boolean;
  /** Run slaverCall as soon as a leader is known instead of one interval later. */
  runSlaverOnStart?: boolean;
}

export function intervalMs(spec: IntervalSpec, what: string): number {
  const ms = typeof spec === 'number' ? spec * 1000 : spec?.ms;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 1 || ms > 2 ** 31 - 1) {
    throw new ClusterConfigError(
      `${what}: the interval must be a positive number of seconds, or { ms } of at least 1; got ${JSON.stringify(spec)}.`,
    );
  }
  return ms;
}

let unnamed = 0;

/**
 * The seed's DefaultJobTracker: calls `caller.masterCall(ctx)` every interval while this node is
 * the acting leader and `caller.slaverCall(leader)` every interval while it follows a known
 * leader, and forwards the leadership callbacks the caller defines.
 *
 * @example
 * const tracker = new DefaultJobTracker(10, cluster, new MyCaller()).start();
 * // later
 * await tracker.close();
 */
export class DefaultJobTracker implements JobTracker {
  readonly name: string;
  private readonly master: PeriodicRunner;
  private readonly slaver: PeriodicRunner;
  private leaderContext: LeaderContext | undefined;
  private leaderName: string | undefined;

  constructor(
    interval: IntervalSpec,
    private readonly cluster: JobHost,
    private readonly caller: JobCaller,
    private readonly options: DefaultJobTrackerOptions = {},
  ) {
    const ms = intervalMs(interval, 'DefaultJobTracker');
    const ctorName = caller?.constructor?.name;
    this.name =
      options.name ??
      (ctorName && ctorName !== 'Object' && ctorName !== 'DefaultCaller'
        ? ctorName
        : `DefaultJobTracker#${++unnamed}`);
    this.master = new PeriodicRunner(
      ms,
      () => this.runMaster(),
      (e) => this.logFailure('masterCall', e),
      () => this.cluster.leaderJobSkipped?.(this.masterRunName, 'busy'),
    );
    this.slaver = new PeriodicRunner(ms, () => this.runSlaver(), (e) => this.logFailure('slaverCall', e));
  }

  /** Runs skipped because the previous run of the same job was still busy. */
  get skippedRuns(): number {
    return this.master.skipped + this.slaver.skipped;
  }

  start(): this {
    this.cluster.addJobTracker(this);
    return this;
  }

  async close(): Promise<void> {
    await this.cluster.removeJobTracker(this);
    this.master.stop();
    this.slaver.stop();
    await Promise.all([this.master.idle(), this.slaver.idle()]);
  }

  async onStartedLeading(context: LeaderContext): Promise<void> {
    this.leaderContext = context;
    await this.caller.onStartedLeading?.(context);
    if (!context.signal.aborted && this.caller.masterCall) this.master.start(this.options.runOnStart ?? false);
  }

  async onStoppedLeading(): Promise<void> {
    this.master.stop();
    this.leaderContext = undefined;
    await this.caller.onStoppedLeading?.();
  }

  async onNewLeader(leaderName: string): Promise<void> {
    this.leaderName = leaderName;
    await this.caller.onNewLeader?.(leaderName);
    if (leaderName === this.cluster.getMyName()) this.slaver.stop();
    else if (this.caller.slaverCall) this.slaver.start(this.options.runSlaverOnStart ?? false);
  }

  async onReleaseMaster(): Promise<void> {
    this.slaver.stop();
    this.leaderName = undefined;
    await this.caller.onReleaseMaster?.();
  }

  private runMaster(): unknown {
    const context = this.leaderContext;
    if (!context) return undefined;
    // DESIGN §3 leader work: the cluster checks the lease on the clock before the run starts.
    return this.cluster.runAsLeader(this.masterRunName, context, (ctx) => this.caller.masterCall?.(ctx));
  }

  private get masterRunName(): string {
    return `${this.name}.masterCall`;
  }

  private runSlaver(): unknown {
    const leader = this.leaderName;
    if (leader === undefined || leader === this.cluster.getMyName()) return undefined;
    return this.caller.slaverCall?.(leader);
  }

  private logFailure(what: string, error: unknown): void {
    this.cluster.logger.error(`${this.name}.${what} failed: ${errorText(error)}`, errorStack(error));
  }
}
