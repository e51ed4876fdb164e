import { cloneAsOverWire } from '../codec.js';
import { withDeadline } from '../deadline.js';
import {
  ClusterError,
  FunctionNotFoundError,
  NodeNotFoundError,
  NodeUnavailableError,
  RemoteFunctionError,
  ShuttingDownError,
  TimeoutError,
} from '../errors.js';
import type { TraceContext } from '../instrumentation/instrumentation.js';
import type { NodeTable } from '../node-table.js';
import type { CallOutcome, FunctionRunner } from './function-runner.js';

/** One call as the dispatcher sees it (a FuncSpec is one). */
export interface CallRequest {
  readonly nodeName: string;
  readonly funcName: string;
  readonly param: unknown;
  readonly timeoutMs: number;
  readonly traceId?: string | undefined;
}

/** How calls to other nodes leave this one (the TCP transport in cluster and lease modes with `nodes`). */
export interface RemoteCaller {
  /** `request.timeoutMs` is the deadline, checked by the dispatcher; `traceContext` continues a span. */
  call(request: CallRequest, traceContext?: TraceContext): Promise<CallOutcome>;
}

export const MAX_CALL_TIMEOUT_MS = 2 ** 31 - 1;

/** Turns a served call's outcome into the caller's result or typed error. */
export function outcomeToResult(outcome: CallOutcome, nodeName: string, funcName: string): unknown {
  switch (outcome.status) {
    case 'ok':
      return outcome.value;
    case 'not-found':
      throw new FunctionNotFoundError(nodeName, funcName);
    case 'error': {
      const { name, message, code, stack } = outcome.error;
      throw new RemoteFunctionError(nodeName, funcName, name, message, code, stack);
    }
  }
}

/**
 * Routes `callFunc`: to this node's own functions through the same encode/decode a remote call
 * gets (so local and remote calls give equal values), or to another node through `RemoteCaller`.
 */
export class CallDispatcher {
  private readonly inFlight = new Set<AbortController>();
  private made = 0;

  constructor(
    private readonly selfName: string,
    private readonly nodes: NodeTable,
    private readonly runner: FunctionRunner,
    private readonly remote: RemoteCaller | undefined,
  ) {}

  get callsMade(): number {
    return this.made;
  }

  /**
   * `traceContext` goes to the callee with the call (a tracer's client span). Not async, and the
   * spec goes to the RemoteCaller as it is: a remote call is the transport's promise and one
   * `then` (issue #15). Errors are rejections, never throws.
   */
  call(spec: CallRequest, traceContext?: TraceContext): Promise<unknown> {
    const timeoutMs = spec.timeoutMs;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_CALL_TIMEOUT_MS) {
      return Promise.reject(
        new ClusterError(
          'ERR_CLUSTER_INVALID_ARGUMENT',
          `Call of "${spec.funcName}": timeoutMs must be a positive number of milliseconds; got ${timeoutMs}.`,
        ),
      );
    }
    if (!this.nodes.has(spec.nodeName)) return Promise.reject(new NodeNotFoundError(spec.nodeName, this.nodes.names));
    this.made++;
    if (spec.nodeName === this.selfName) return this.callLocal(spec, traceContext);
    if (!this.remote) {
      return Promise.reject(new NodeUnavailableError(spec.nodeName, 'this mode has no transport between nodes'));
    }
    let outcome: Promise<CallOutcome>;
    try {
      outcome = this.remote.call(spec, traceContext);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return outcome.then((o) => outcomeToResult(o, spec.nodeName, spec.funcName));
  }

  /** Rejects every local call still running with ShuttingDownError and aborts its signal. */
  shutdown(): void {
    for (const controller of this.inFlight) controller.abort(new ShuttingDownError());
    this.inFlight.clear();
  }

  private async callLocal(spec: CallRequest, traceContext: TraceContext | undefined): Promise<unknown> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    const context = {
      funcName: spec.funcName,
      callerNode: this.selfName,
      traceId: spec.traceId,
      signal: controller.signal,
    };
    const served = this.runner
      .run(spec.funcName, cloneAsOverWire(spec.param), context, traceContext)
      .then((outcome) => cloneAsOverWire(outcomeToResult(outcome, this.selfName, spec.funcName)));
    try {
      return await withDeadline(Promise.race([served, aborted]), spec.timeoutMs, () => {
        const error = new TimeoutError(
          `Call of "${spec.funcName}" on node "${spec.nodeName}" timed out after ${spec.timeoutMs} ms.`,
        );
        controller.abort(error);
        return error;
      });
    } finally {
      this.inFlight.delete(controller);
    }
  }
}
