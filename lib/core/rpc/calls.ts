import { NotReadyError, ShuttingDownError } from '../errors.js';
import type { Phase } from '../events.js';
import { callMadeOutcome } from '../instrumentation/call-outcomes.js';
import type { Instruments } from '../instrumentation/instruments.js';
import type { CallDispatcher } from './call-dispatcher.js';
import type { ClusterFunctionHandler, FuncRegistry } from './func-registry.js';
import type { FuncSpec } from './func-spec.js';

/**
 * The seed's RegisterFunc/CallFunc: the functions this node serves, and calls out of it, refused
 * with a typed error while the node is not running.
 */
export class Calls {
  constructor(
    private readonly functions: FuncRegistry,
    private readonly dispatcher: CallDispatcher,
    private readonly phase: () => Phase,
    private readonly instruments: Instruments,
  ) {}

  get names(): string[] {
    return this.functions.names;
  }

  get made(): number {
    return this.dispatcher.callsMade;
  }

  register(name: string, fn: ClusterFunctionHandler): void {
    this.functions.register(name, fn);
  }

  unregister(name: string): boolean {
    return this.functions.unregister(name);
  }

  /** Settles `spec`; the promise is its outcome for sync specs, `undefined` at once for async ones. */
  call<R>(spec: FuncSpec<R>): Promise<R | undefined> {
    try {
      spec.claim();
    } catch (error) {
      return Promise.reject(error);
    }
    const refusal = this.refusal();
    const outcome = this.instruments.active
      ? this.observed(spec, refusal)
      : refusal
        ? Promise.reject(refusal)
        : (this.dispatcher.call(spec) as Promise<R>);
    outcome.then(
      (value) => spec.resolve(value),
      (error: Error) => spec.reject(error),
    );
    return spec.async ? Promise.resolve(undefined) : outcome;
  }

  /** A call made while instrumentation is registered: observed from dispatch (or refusal) to outcome. */
  private observed<R>(spec: FuncSpec<R>, refusal: Error | undefined): Promise<R> {
    const made = this.instruments.callMade(spec);
    const dispatch = () => (refusal ? Promise.reject(refusal) : (this.dispatcher.call(spec, made?.traceContext) as Promise<R>));
    if (!made) return dispatch();
    const outcome = made.run(dispatch);
    outcome.then(
      () => made.end('ok'),
      (error: unknown) => made.end(callMadeOutcome(error), error),
    );
    return outcome;
  }

  /** Rejects calls in flight and refuses new ones (close). */
  shutdown(): void {
    this.dispatcher.shutdown();
  }

  private refusal(): Error | undefined {
    const phase = this.phase();
    if (phase === 'closing' || phase === 'closed') return new ShuttingDownError();
    if (phase === 'disabled') return new NotReadyError('The cluster is disabled (enable: false); calls are not served.');
    if (phase === 'failed') return new NotReadyError('The cluster failed to start or left the election; see the error log.');
    if (phase !== 'running') {
      return new NotReadyError('The cluster has not started; calls work after startUp() (in Nest: after bootstrap).');
    }
    return undefined;
  }
}
