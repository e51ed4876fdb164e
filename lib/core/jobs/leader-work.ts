import type { Clock } from '../clock.js';
import type { Instruments } from '../instrumentation/instruments.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import { LeadershipLostError, type LeaderContext } from './leader-context.js';

/** How a leadership asks whether its lease still holds. */
export interface LeaseProbe {
  readonly clock: Clock;
  /** Monotonic time until which this node may act (the engine's lease end). */
  actingUntil(): number;
  /** The lease was found over on the clock: the engine should report it (step down) soon. */
  lapsed(): void;
}

/** What a run that went ahead returns: its own result, for callers that want it. */
export interface Ran<T> {
  readonly value: T;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * The work of one leadership (DESIGN §3 "Leader work"). Every leader-side run (tracker callbacks,
 * `masterCall`, `@MasterInterval`, `@MasterCron`, `@LeaderOnly`) starts here and is registered
 * here, so three rules hold in one place:
 *
 * 1. Before a run starts, the lease is checked against the clock, never a flag set by a timer.
 *    After a stall (SIGSTOP, GC, VM pause) Node runs overdue timers in due order, so a job's timer
 *    can fire before the engine's: the job's own check is what stops it (and aborts the signal).
 * 2. `end()` aborts the signal; `drain()` then awaits every run still going, bounded.
 * 3. A run's failure, synchronous or not, is logged with its name and never escapes.
 *
 * The engine hands leadership over only after `drain()` (Cluster does the ordering).
 */
export class LeaderWork {
  readonly context: LeaderContext;
  private readonly controller = new AbortController();
  /** Runs still going, with their names for the drain log. */
  private readonly runs = new Map<Promise<unknown>, string>();

  constructor(
    term: number,
    fencingToken: number,
    private readonly lease: LeaseProbe,
    private readonly logger: ClusterLogger,
    private readonly instruments?: Instruments,
  ) {
    this.context = { term, fencingToken, signal: this.controller.signal };
  }

  /**
   * Whether this leadership may act now, by the clock. A lease found over ends the leadership on
   * the spot (the signal aborts before this returns) and tells the engine.
   */
  holds(): boolean {
    if (this.controller.signal.aborted) return false;
    if (this.lease.clock.now() < this.lease.actingUntil()) return true;
    this.end();
    this.lease.lapsed();
    return false;
  }

  /**
   * Runs `job` if the lease holds now; `undefined` if it did not run. The job's result and any
   * synchronous throw are the caller's (for `@LeaderOnly`, which must not change what a method
   * returns); a returned promise is registered until it settles, so `drain()` waits for it.
   */
  call<T>(name: string, job: (context: LeaderContext) => T): Ran<T> | undefined {
    return this.start(name, job, false);
  }

  /** `scheduled`: started by this node's schedule (a tracker, an interval, cron), not by a caller. */
  private start<T>(name: string, job: (context: LeaderContext) => T, scheduled: boolean): Ran<T> | undefined {
    const instruments = this.instruments?.active ? this.instruments : undefined;
    // Read before holds(), which ends a leadership whose lease it finds over.
    const ended = instruments !== undefined && this.controller.signal.aborted;
    if (!this.holds()) {
      instruments?.leaderJobSkipped(name, ended ? 'leadership_ended' : 'lease_expired');
      return undefined;
    }
    const observed = instruments?.leaderJobRun({ job: name, term: this.context.term, scheduled });
    if (!observed) {
      const value = job(this.context);
      if (isThenable(value)) this.register(name, Promise.resolve(value));
      return { value };
    }
    let value: T;
    try {
      value = observed.run(() => job(this.context));
    } catch (error) {
      observed.end('error', error);
      throw error;
    }
    const settled = Promise.resolve(value);
    if (isThenable(value)) this.register(name, settled);
    settled.then(
      () => observed.end('ok'),
      (error: unknown) => observed.end('error', error),
    );
    return { value };
  }

  /**
   * Runs a leader job if the lease holds now. Returns `false` if it did not run, else a promise
   * that settles when the run has ended; it never rejects: failures, synchronous or not, are
   * logged with the job's name, so a throwing job keeps its schedule.
   */
  run(name: string, job: (context: LeaderContext) => unknown): false | Promise<void> {
    let ran: Ran<unknown> | undefined;
    try {
      ran = this.start(name, job, true);
    } catch (error) {
      this.failed(name, error);
      return Promise.resolve();
    }
    if (!ran) return false;
    if (!isThenable(ran.value)) return Promise.resolve();
    return Promise.resolve(ran.value).then(
      () => undefined,
      (error: unknown) => this.failed(name, error),
    );
  }

  /** Aborts the signal: leadership ended. Idempotent. */
  end(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new LeadershipLostError(this.context.term));
  }

  /**
   * Waits until every registered run has ended, or `timeoutMs`; returns the names of the runs still
   * going then (each is also logged), so a job that ignores its signal delays hand-over only so long.
   */
  async drain(timeoutMs: number): Promise<string[]> {
    if (this.runs.size === 0) return [];
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled([...this.runs.keys()]), bound]);
    clearTimeout(timer);
    return [...new Set(this.runs.values())];
  }

  /** Names of the runs still going. */
  get busy(): string[] {
    return [...new Set(this.runs.values())];
  }

  private register(name: string, run: Promise<unknown>): void {
    this.runs.set(run, name);
    const done = () => void this.runs.delete(run);
    run.then(done, done);
  }

  private failed(name: string, error: unknown): void {
    this.logger.error(`Leader job ${name} failed: ${errorText(error)}`, errorStack(error));
  }
}
