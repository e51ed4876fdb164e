import { AsyncLocalStorage } from 'node:async_hooks';

/** What a called function can learn about the call that reached it. */
export interface CallContext {
  readonly funcName: string;
  /** The node that made the call. */
  readonly callerNode: string;
  readonly traceId: string | undefined;
  /** Aborts when the caller's deadline passes or this node shuts down. */
  readonly signal: AbortSignal;
}

const storage = new AsyncLocalStorage<CallContext>();

/** Runs `fn(param, context)` with `context` as the current call context (no closure per call). */
export function runInCallContext<T>(context: CallContext, fn: (param: unknown, context: CallContext) => T, param: unknown): T {
  return storage.run(context, fn, param, context);
}

/**
 * The trace id of the cluster call being served, anywhere below the function in the async call
 * chain; `undefined` outside a call or when the caller set none.
 *
 * @example
 * @ClusterFunction('processData')
 * process(data: string) { this.logger.log(`trace ${currentTraceId()}`); }
 */
export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** The whole context of the cluster call being served, if any. */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}
