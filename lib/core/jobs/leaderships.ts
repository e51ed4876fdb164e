import type { Clock } from '../clock.js';
import type { Instruments } from '../instrumentation/instruments.js';
import type { ClusterLogger } from '../logger.js';
import type { JobTrackerSet } from './job-tracker-set.js';
import type { LeaderContext } from './leader-context.js';
import { LeaderWork, type LeaseProbe, type Ran } from './leader-work.js';

export interface LeadershipsDeps {
  readonly clock: Clock;
  readonly logger: ClusterLogger;
  readonly instruments?: Instruments;
  /** The engine's lease end, checked on the clock before every run. */
  actingUntil(): number;
  /** Asks the engine to report a lease found over (not synchronously: see `lapsed`). */
  checkLease(): void;
}

/**
 * This node's leaderships over time: the work of the current one, and the drain that must finish
 * before leadership is handed over (DESIGN §4: stop acting, jobs aborted and drained, bounded,
 * then TimeoutNow or the lease release).
 */
export class Leaderships {
  /** The latest leadership, ended or not: its runs may outlive it and are drained before hand-over. */
  private latest: LeaderWork | undefined;

  private readonly probe: LeaseProbe;

  constructor(private readonly deps: LeadershipsDeps) {
    this.probe = {
      clock: deps.clock,
      actingUntil: () => deps.actingUntil(),
      // Not synchronous: the engine's report re-enters the cluster's event flow, which may be in
      // the middle of delivering an event (an `isLeader()` call from a subscriber, say).
      lapsed: () => queueMicrotask(() => deps.checkLease()),
    };
  }

  /** SignMaster: a new leadership begins. */
  begin(term: number, fencingToken: number): LeaderWork {
    this.latest?.end();
    this.latest = new LeaderWork(term, fencingToken, this.probe, this.deps.logger, this.deps.instruments);
    return this.latest;
  }

  /** StopMaster: the signal aborts now, not when the event is delivered (DESIGN §3). */
  end(): void {
    this.latest?.end();
  }

  /** The current leadership, while it holds its lease on the clock. */
  get current(): LeaderWork | undefined {
    return this.latest?.holds() ? this.latest : undefined;
  }

  /** The current leadership if it was not ended by an event (its lease is not checked here). */
  get active(): LeaderWork | undefined {
    return this.latest && !this.latest.context.signal.aborted ? this.latest : undefined;
  }

  /** Runs a leader job of the leadership `context` belongs to, if that one still holds its lease. */
  runAsLeader(name: string, context: LeaderContext, job: (context: LeaderContext) => unknown): false | Promise<void> {
    const work = this.latest;
    if (!work || work.context !== context) {
      if (this.deps.instruments?.active) this.deps.instruments.leaderJobSkipped(name, 'leadership_ended');
      return false;
    }
    return work.run(name, job);
  }

  /** Calls `job` as leader work of the current leadership; `undefined` when this node may not act. */
  callAsLeader<T>(name: string, job: (context: LeaderContext) => T): Ran<T> | undefined {
    return this.latest?.call(name, job);
  }

  /**
   * Waits for the runs of the latest leadership and for the trackers' callbacks (onStoppedLeading
   * included), at most `timeoutMs`; logs by name whatever is still busy then.
   */
  async drain(trackers: JobTrackerSet, timeoutMs: number, why: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    const work = this.latest;
    const [runs, callbacks] = await Promise.all([work?.drain(timeoutMs) ?? [], trackers.drain(bound)]);
    clearTimeout(timer);
    const busy = [...runs, ...callbacks.map((name) => `tracker "${name}"`)];
    if (busy.length > 0) {
      this.deps.logger.warn(
        `${why} after waiting ${timeoutMs} ms (shutdownTimeoutMs) for leader work still running: ${busy.join(', ')}. ` +
          'They ignored their abort signal; the next leader may now start while they run (fencing tokens exist for this).',
      );
    }
  }
}
