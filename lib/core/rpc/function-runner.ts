import type { TraceContext } from '../instrumentation/instrumentation.js';
import type { Instruments } from '../instrumentation/instruments.js';
import { errorText } from '../logger.js';
import type { FuncRegistry } from './func-registry.js';
import { runInCallContext, type CallContext } from './trace.js';

/** An error as it crosses the wire: name, message and code kept as the callee threw them. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/** The result of serving one call, in a form the transport can encode. */
export type CallOutcome =
  | { readonly status: 'ok'; readonly value: unknown }
  | { readonly status: 'not-found' }
  | { readonly status: 'error'; readonly error: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      code: typeof code === 'string' || typeof code === 'number' ? String(code) : undefined,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: errorText(error) };
}

/** Serves calls to this node's registered functions: the same path for local and remote callers. */
export class FunctionRunner {
  private served = 0;
  private failed = 0;

  constructor(
    private readonly registry: FuncRegistry,
    private readonly instruments?: Instruments,
  ) {}

  get stats(): { served: number; failed: number } {
    return { served: this.served, failed: this.failed };
  }

  /** `traceContext` is the caller's, as it came with the call. */
  run(funcName: string, param: unknown, context: CallContext, traceContext?: TraceContext): Promise<CallOutcome> {
    return new Promise((resolve) => this.runThen(funcName, param, context, traceContext, resolve));
  }

  /**
   * As `run`, with the outcome handed to `done` exactly once, and in this same tick when the
   * function returns a value rather than a promise (issue #15: a served call then goes from
   * frame to response with no promise in between). `done` must not throw.
   */
  runThen(funcName: string, param: unknown, context: CallContext, traceContext: TraceContext | undefined, done: (outcome: CallOutcome) => void): void {
    if (!this.instruments?.active) return this.serve(funcName, param, context, done);
    const served = this.instruments.callServed({ funcName, callerNode: context.callerNode, traceContext });
    if (!served) return this.serve(funcName, param, context, done);
    const outcome = served.run(() => new Promise<CallOutcome>((resolve) => this.serve(funcName, param, context, resolve)));
    void outcome.then((o) => {
      try {
        served.end(o.status === 'not-found' ? 'not_found' : o.status, o.status === 'error' ? o.error : undefined);
      } finally {
        // Observing never decides whether the caller gets its answer.
        done(o);
      }
    });
  }

  private serve(funcName: string, param: unknown, context: CallContext, done: (outcome: CallOutcome) => void): void {
    const fn = this.registry.get(funcName);
    if (!fn) return done(NOT_FOUND);
    this.served++;
    let value: unknown;
    try {
      value = runInCallContext(context, fn, param);
    } catch (error) {
      return done(this.failure(error));
    }
    if (!isThenable(value)) return done({ status: 'ok', value });
    Promise.resolve(value).then(
      (result: unknown) => done({ status: 'ok', value: result }),
      (error: unknown) => done(this.failure(error)),
    );
  }

  private failure(error: unknown): CallOutcome {
    this.failed++;
    return { status: 'error', error: toWireError(error) };
  }
}

const NOT_FOUND: CallOutcome = { status: 'not-found' };

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
