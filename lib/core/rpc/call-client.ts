import { NodeNotFoundError } from '../errors.js';
import type { TraceContext } from '../instrumentation/instrumentation.js';
import type { RequestTransport } from '../transport/transport.js';
import type { CallRequest, RemoteCaller } from './call-dispatcher.js';
import { parseOutcome, type CallBody } from './call-protocol.js';
import type { CallOutcome } from './function-runner.js';

/**
 * Makes calls to other nodes as transport requests (call-protocol.ts gives the body and reads
 * the outcome). Rejects with NodeNotFoundError for a name outside the node list, and otherwise
 * as `RequestTransport.request` does: NodeUnavailableError, TimeoutError, ShuttingDownError.
 */
export class CallClient implements RemoteCaller {
  constructor(private readonly transport: RequestTransport) {}

  call({ nodeName, funcName, param, traceId, timeoutMs }: CallRequest, traceContext?: TraceContext): Promise<CallOutcome> {
    if (!this.transport.peerNames.includes(nodeName)) return Promise.reject(new NodeNotFoundError(nodeName, [...this.transport.peerNames]));
    const body: CallBody = traceContext ? { funcName, param, traceId, traceContext } : { funcName, param, traceId };
    // Not async: the transport's promise is the call's, with no hop between (issue #15).
    return this.transport.request(nodeName, body, { timeoutMs, parse: parseOutcome, what: `Call of "${funcName}"` });
  }
}
