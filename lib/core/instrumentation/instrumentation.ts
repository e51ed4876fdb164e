/**
 * The instrumentation seam: what the core reports about calls and leader jobs, in its own
 * vocabulary, for adapters outside the core (`nest-cluster/prometheus`, `nest-cluster/tracing`)
 * to turn into metrics and spans. Elections, leader changes, peers and transport violations are
 * not here: `events$`, `state$` and `getStats()` already report them.
 */

/** W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels in a call body. */
export interface TraceContext {
  /** `version-traceid-parentid-flags`, e.g. `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`. */
  readonly traceparent: string;
  readonly tracestate?: string;
}

/**
 * How a call made by this node ended: `ok`; `error`, the function threw; `not_found`, no such
 * function or node; `timeout`; `unavailable`, the node could not be reached; `refused`, this node
 * was not running or the call was invalid; `failed`, anything else (a value that could not travel).
 */
export type CallMadeOutcome = 'ok' | 'error' | 'not_found' | 'timeout' | 'unavailable' | 'refused' | 'failed';

/** How a call served by this node ended. */
export type CallServedOutcome = 'ok' | 'error' | 'not_found';

export type LeaderJobOutcome = 'ok' | 'error';

/**
 * Why a leader-job run did not start: `busy`, its previous run was still going (DESIGN §3: a job
 * never overlaps itself); `lease_expired`, the lease was found over on the clock; `leadership_ended`,
 * the leadership the run was scheduled for had ended.
 */
export type SkipReason = 'busy' | 'lease_expired' | 'leadership_ended';

export interface CallMade {
  readonly funcName: string;
  /** The node called (this node's own name for a local call). */
  readonly nodeName: string;
  readonly local: boolean;
  /** The called node's configured address, when it has one. */
  readonly peer: { readonly ip: string; readonly port: number } | undefined;
}

export interface CallServed {
  readonly funcName: string;
  /** The node that made the call (this node for a local call). */
  readonly callerNode: string;
  /** The caller's trace context, when it sent one. */
  readonly traceContext: TraceContext | undefined;
}

export interface LeaderJobRun {
  /** The run's name as the logs give it, e.g. `ReportService.flush.masterCall`. */
  readonly job: string;
  readonly term: number;
  /**
   * Started by this node's schedule (tracker callbacks, `@MasterInterval`, `@MasterCron`,
   * `masterCall`); `false` for a `@LeaderOnly` method, run when its caller calls it.
   */
  readonly scheduled: boolean;
}

export interface Ended<Outcome extends string> {
  readonly outcome: Outcome;
  /** Measured on the cluster's monotonic clock. */
  readonly durationSeconds: number;
  /** What failed, for `error` and the other failing outcomes. */
  readonly error?: unknown;
}

/** One observed call or run, from its start to its `end`. */
export interface Observation<Outcome extends string> {
  /** Runs the observed work inside this observation (a tracer makes its span the active one). */
  run?<T>(fn: () => T): T;
  /** The trace context a call made sends to the callee. */
  readonly traceContext?: TraceContext;
  end(ended: Ended<Outcome>): void;
}

/**
 * What an adapter implements; every hook is optional. Register with
 * `cluster.addInstrumentation(hooks)`. Hooks run on the hot path: they must be quick and must
 * not throw (a throw is caught and logged once, and never reaches a call or a job).
 */
export interface ClusterInstrumentation {
  callMade?(call: CallMade): Observation<CallMadeOutcome> | undefined;
  callServed?(call: CallServed): Observation<CallServedOutcome> | undefined;
  leaderJobRun?(run: LeaderJobRun): Observation<LeaderJobOutcome> | undefined;
  leaderJobSkipped?(job: string, reason: SkipReason): void;
}
