import { ClusterError } from '../errors.js';
import { errorStack, errorText, type ClusterLogger } from '../logger.js';
import type { RequestTransport, ServedRequest } from '../transport/transport.js';
import { parseCallBody } from './call-protocol.js';
import { toWireError, type CallOutcome, type FunctionRunner } from './function-runner.js';
import type { CallContext } from './trace.js';

/**
 * Serves the calls peers make to this node: each transport request is read as a call
 * (call-protocol.ts) and run by the FunctionRunner, on its own, so the link goes on reading
 * frames while functions run and one slow function delays neither other calls nor election
 * messages.
 */
export class CallServer {
  constructor(
    transport: RequestTransport,
    private readonly runner: FunctionRunner,
    private readonly logger: ClusterLogger,
  ) {
    transport.onRequest((request) => this.serve(request));
  }

  private serve(request: ServedRequest): void {
    // A malformed body throws here, synchronously: the transport drops the link as a violation.
    const call = parseCallBody(request.body);
    const context = new ServedCallContext(call.funcName, request.peer, call.traceId, request);
    // A function that returns a value is answered in this tick, with no promise on the way.
    this.runner.runThen(call.funcName, call.param, context, call.traceContext, (outcome) => {
      try {
        respond(request, call.funcName, outcome);
      } catch (error) {
        // Only a bug of ours lands here: the call is abandoned (its caller times out), loudly.
        request.cancel(error);
        this.logger.error(`Could not answer the call of "${call.funcName}" from "${request.peer}": ${errorText(error)}`, errorStack(error));
      }
    });
  }
}

/**
 * What a served call's function sees of it. A class, not an object literal with a `signal`
 * getter: each such literal got a getter, a property pair and a shape of its own, an eighth of a
 * served call's garbage (issue #15). The request stays private; the signal is made only if read.
 */
class ServedCallContext implements CallContext {
  readonly #request: ServedRequest;

  constructor(
    readonly funcName: string,
    readonly callerNode: string,
    readonly traceId: string | undefined,
    request: ServedRequest,
  ) {
    this.#request = request;
  }

  get signal(): AbortSignal {
    return this.#request.signal;
  }
}

/** A result that cannot travel (an unencodable or oversized value) travels as an error instead. */
function respond(request: ServedRequest, funcName: string, outcome: CallOutcome): void {
  try {
    request.respond(outcome);
  } catch (error) {
    const code = error instanceof ClusterError && error.code === 'ERR_CLUSTER_FRAME_TOO_LARGE' ? error.code : 'ERR_CLUSTER_ENCODE';
    const failed = new ClusterError(code, `The result of "${funcName}" could not be sent: ${errorText(error)}`);
    request.respond({ status: 'error', error: toWireError(failed) } satisfies CallOutcome);
  }
}
