import { ClusterError, TimeoutError } from '../errors.js';
import { encodeFrame } from './frame-codec.js';
import type { CallOutcome, FunctionRunner } from '../rpc/function-runner.js';
import { toWireError } from '../rpc/function-runner.js';
import { LazyAbort } from '../rpc/lazy-abort.js';
import type { PeerLink, ServedCall } from './peer-link.js';
import type { CallMessage, ResultMessage } from './protocol.js';

/**
 * Serves calls that arrive over a link. Each call runs on its own: the link goes on reading frames
 * while functions run, so one slow function delays neither other calls nor election messages.
 */
export class CallServer {
  private served = 0;

  constructor(
    private readonly runner: FunctionRunner,
    private readonly maxFrameBytes: number,
  ) {}

  get callsServed(): number {
    return this.served;
  }

  serve(link: PeerLink, call: CallMessage): void {
    const abort = new LazyAbort();
    // The caller gives up at its deadline; the function hears of it through its signal.
    const timer = setTimeout(() => {
      abort.abort(
        new TimeoutError(`Call of "${call.funcName}" from node "${link.peer}" passed its ${call.timeoutMs} ms deadline.`),
      );
    }, call.timeoutMs);
    // Issue #9: a link that ends takes the deadline timer with it, not only the signal.
    const served: ServedCall = {
      cancel: (reason) => {
        clearTimeout(timer);
        abort.abort(reason);
      },
    };
    link.serving.add(served);
    this.served++;
    const context = {
      funcName: call.funcName,
      callerNode: link.peer!,
      traceId: call.traceId,
      get signal() {
        return abort.signal;
      },
    };
    this.runner
      .run(call.funcName, call.param, context)
      .catch((error: unknown): CallOutcome => ({ status: 'error', error: toWireError(error) }))
      .then((outcome) => {
        clearTimeout(timer);
        link.serving.delete(served);
        // Past the deadline the caller has stopped waiting; the result would only be dropped.
        if (!abort.aborted) link.sendFrame(this.resultFrame(call, outcome));
      })
      // Only a bug of ours lands here; the link ends (and says why in the log) rather than the process.
      .catch((error: unknown) => link.destroy({ kind: 'failed', error }));
  }

  /** A result that cannot travel (an unencodable or oversized value) travels as an error instead. */
  private resultFrame(call: CallMessage, outcome: CallOutcome): Buffer {
    let frame: Buffer;
    try {
      frame = encodeFrame({ type: 'result', id: call.id, outcome } satisfies ResultMessage);
    } catch (error) {
      return this.errorFrame(call, new ClusterError('ERR_CLUSTER_ENCODE', `The result of "${call.funcName}" cannot be encoded: ${String(error)}`));
    }
    if (frame.length - 4 > this.maxFrameBytes) {
      return this.errorFrame(
        call,
        new ClusterError(
          'ERR_CLUSTER_FRAME_TOO_LARGE',
          `The result of "${call.funcName}" is ${frame.length - 4} bytes, over maxFrameBytes (${this.maxFrameBytes}).`,
        ),
      );
    }
    return frame;
  }

  private errorFrame(call: CallMessage, error: Error): Buffer {
    const outcome: CallOutcome = { status: 'error', error: toWireError(error) };
    return encodeFrame({ type: 'result', id: call.id, outcome } satisfies ResultMessage);
  }
}
