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
    if (!this.instruments?.active) return this.serve(funcName, param, context);
    const served = this.instruments.callServed({ funcName, callerNode: context.callerNode, traceContext });
    if (!served) return this.serve(funcName, param, context);
    const outcome = served.run(() => this.serve(funcName, param, context));
    void outcome.then((o) => served.end(o.status === 'not-found' ? 'not_found' : o.status, o.status === 'error' ? o.error : undefined));
    return outcome;
  }

  private async serve(funcName: string, param: unknown, context: CallContext): Promise<CallOutcome> {
    const fn = this.registry.get(funcName);
    if (!fn) return { status: 'not-found' };
    this.served++;
    try {
      const value = await runInCallContext(context, () => fn(param, context));
      return { status: 'ok', value };
    } catch (error) {
      this.failed++;
      return { status: 'error', error: toWireError(error) };
    }
  }
}
