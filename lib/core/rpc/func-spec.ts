import { ClusterError } from '../errors.js';

export const DEFAULT_CALL_TIMEOUT_MS = 3000;

type Outcome<R> = { ok: true; value: R } | { ok: false; error: Error };

/**
 * One remote call: target node, function, parameter and deadline (the seed's FuncSpec). Create it
 * with `newFuncSpec` (callFunc waits for the result) or `newAsyncFuncSpec` (callFunc returns at
 * once; read the result later with `getResult()` or await `done`). A spec is used for one call.
 */
export abstract class FuncSpec<R = unknown> {
  abstract readonly async: boolean;
  private traceIdValue: string | undefined;
  private outcome: Outcome<R> | undefined;
  private started = false;
  private donePromise: Promise<R> | undefined;
  private settleDone: ((outcome: Outcome<R>) => void) | undefined;

  constructor(
    readonly nodeName: string,
    readonly funcName: string,
    readonly param: unknown,
    readonly timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  /**
   * Settles with the result, or rejects with the call's error. Made when first read (issue #15:
   * most callers await `callFunc` and never read it, and its promises were a call's largest
   * share of garbage); nobody has to await it, and an unobserved failure is not an unhandled
   * rejection.
   */
  get done(): Promise<R> {
    if (!this.donePromise) {
      const settled = this.outcome
        ? Promise.resolve(this.outcome)
        : new Promise<Outcome<R>>((resolve) => (this.settleDone = resolve));
      this.donePromise = settled.then((o) => (o.ok ? o.value : Promise.reject(o.error)));
      this.donePromise.catch(() => undefined);
    }
    return this.donePromise;
  }

  get traceId(): string | undefined {
    return this.traceIdValue;
  }

  /** Tags the call; the callee reads it with `currentTraceId()`. */
  setTraceId(traceId: string): this {
    this.traceIdValue = traceId;
    return this;
  }

  /** True once the call has a result or an error. */
  get settled(): boolean {
    return this.outcome !== undefined;
  }

  /** The result; `undefined` while pending; throws the call's error if it failed. */
  getResult(): R | undefined {
    if (!this.outcome) return undefined;
    if (!this.outcome.ok) throw this.outcome.error;
    return this.outcome.value;
  }

  /** @internal Marks the spec as used; a spec serves one call. */
  claim(): void {
    if (this.started) {
      throw new ClusterError(
        'ERR_CLUSTER_FUNCSPEC_USED',
        `This FuncSpec for "${this.funcName}" on "${this.nodeName}" was already called; create a new one per call.`,
      );
    }
    this.started = true;
  }

  /** @internal */
  resolve(value: R): void {
    this.settle({ ok: true, value });
  }

  /** @internal */
  reject(error: Error): void {
    this.settle({ ok: false, error });
  }

  private settle(outcome: Outcome<R>): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.settleDone?.(outcome);
    this.settleDone = undefined;
  }
}

export class SyncFuncSpec<R = unknown> extends FuncSpec<R> {
  readonly async = false;
}

export class AsyncFuncSpec<R = unknown> extends FuncSpec<R> {
  readonly async = true;
}

/**
 * A call whose result `await cluster.callFunc(spec)` returns (or throws).
 *
 * @example
 * const total = await cluster.callFunc(newFuncSpec<number>('node2', 'sum', [1, 2], 3000));
 */
export function newFuncSpec<R = unknown>(
  nodeName: string,
  funcName: string,
  param?: unknown,
  timeoutMs?: number,
): SyncFuncSpec<R> {
  return new SyncFuncSpec<R>(nodeName, funcName, param, timeoutMs);
}

/**
 * A call that `cluster.callFunc(spec)` starts and returns from at once.
 *
 * @example
 * const spec = newAsyncFuncSpec<string>('node2', 'hello', 'World', 3000);
 * cluster.callFunc(spec);
 * const greeting = await spec.done; // or spec.getResult() later
 */
export function newAsyncFuncSpec<R = unknown>(
  nodeName: string,
  funcName: string,
  param?: unknown,
  timeoutMs?: number,
): AsyncFuncSpec<R> {
  return new AsyncFuncSpec<R>(nodeName, funcName, param, timeoutMs);
}
