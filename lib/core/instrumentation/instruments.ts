import type { Clock } from '../clock.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { NodeConfig } from '../node.js';
import type {
  CallMade,
  CallMadeOutcome,
  CallServed,
  CallServedOutcome,
  ClusterInstrumentation,
  LeaderJobOutcome,
  LeaderJobRun,
  Observation,
  SkipReason,
  TraceContext,
} from './instrumentation.js';

/**
 * The instrumentation registered on one cluster, fanned out to each. Hot paths test `active`
 * first and call nothing else while it is false, so an uninstrumented cluster pays one property
 * read per call or run. An adapter's throw is caught here and logged once: observing never
 * changes what a call returns or whether a job runs.
 */
export class Instruments {
  /** Something is registered; the single check the hot paths make. */
  active = false;
  private hooks: ClusterInstrumentation[] = [];
  private readonly complained = new WeakSet<ClusterInstrumentation>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: ClusterLogger,
    private readonly selfName: string,
    private readonly findNode: (name: string) => NodeConfig | undefined,
  ) {}

  add(hooks: ClusterInstrumentation): void {
    if (!this.hooks.includes(hooks)) this.hooks = [...this.hooks, hooks];
    this.active = true;
  }

  remove(hooks: ClusterInstrumentation): boolean {
    const before = this.hooks.length;
    this.hooks = this.hooks.filter((h) => h !== hooks);
    this.active = this.hooks.length > 0;
    return this.hooks.length < before;
  }

  callMade({ funcName, nodeName }: { readonly funcName: string; readonly nodeName: string }): Observed<CallMadeOutcome> | undefined {
    const node = this.findNode(nodeName);
    const call: CallMade = { funcName, nodeName, local: nodeName === this.selfName, peer: node && { ip: node.ip, port: node.port } };
    return this.start((h) => h.callMade?.(call));
  }

  callServed(call: CallServed): Observed<CallServedOutcome> | undefined {
    return this.start((h) => h.callServed?.(call));
  }

  leaderJobRun(run: LeaderJobRun): Observed<LeaderJobOutcome> | undefined {
    return this.start((h) => h.leaderJobRun?.(run));
  }

  leaderJobSkipped(job: string, reason: SkipReason): void {
    for (const h of this.hooks) this.guard(h, () => h.leaderJobSkipped?.(job, reason));
  }

  /** Calls `fn` for `hooks`; a throw is the adapter's bug, logged once per adapter and dropped. */
  guard<T>(hooks: ClusterInstrumentation, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      if (!this.complained.has(hooks)) {
        this.complained.add(hooks);
        this.logger.error(`Cluster instrumentation failed (ignored from now on, once logged): ${errorText(error)}`, errorStack(error));
      }
      return undefined;
    }
  }

  private start<O extends string>(open: (h: ClusterInstrumentation) => Observation<O> | undefined): Observed<O> | undefined {
    const parts: [ClusterInstrumentation, Observation<O>][] = [];
    for (const h of this.hooks) {
      const observation = this.guard(h, () => open(h));
      if (observation) parts.push([h, observation]);
    }
    return parts.length === 0 ? undefined : new Observed(parts, this.clock.now(), this.clock, this);
  }
}

/** The observations every adapter opened for one call or run, ended together. */
export class Observed<O extends string> {
  private ended = false;

  constructor(
    private readonly parts: readonly [ClusterInstrumentation, Observation<O>][],
    private readonly startedAt: number,
    private readonly clock: Clock,
    private readonly instruments: Instruments,
  ) {}

  /** The first trace context an adapter gives (only a tracer gives one). */
  get traceContext(): TraceContext | undefined {
    for (const [, observation] of this.parts) if (observation.traceContext) return observation.traceContext;
    return undefined;
  }

  /** Runs `fn` inside every observation that wraps work, the first registered outermost. */
  run<T>(fn: () => T): T {
    let wrapped = fn;
    for (let i = this.parts.length - 1; i >= 0; i--) {
      const observation = this.parts[i]![1];
      if (!observation.run) continue;
      const inner = wrapped;
      wrapped = () => observation.run!(inner);
    }
    return wrapped();
  }

  end(outcome: O, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const durationSeconds = (this.clock.now() - this.startedAt) / 1000;
    for (const [hooks, observation] of this.parts) {
      this.instruments.guard(hooks, () => observation.end({ outcome, durationSeconds, error }));
    }
  }
}
