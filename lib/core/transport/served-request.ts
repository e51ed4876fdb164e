import type { DeadlineQueue, Expiring } from '../deadline.js';
import { ClusterError, TimeoutError } from '../errors.js';
import { errorText } from '../logger.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame-codec.js';
import { LazyAbort } from './lazy-abort.js';
import type { RequestMessage, ResponseMessage } from './protocol.js';

/** What a served request needs of its link. */
export interface ResponseLink {
  /** The peer's authenticated name (DESIGN §6: messages are attributed to the link's name). */
  readonly peer: string | undefined;
  sendFrame(frame: Buffer): boolean;
}

/**
 * A request a peer sent to this node, as the layer above sees it (rpc/call-server.ts reads it as
 * a call). It owns the request's deadline: the signal aborts when the sender's `timeoutMs`
 * passes or when the link ends, and its entry in the node's deadline queue goes with either
 * (issue #9; one timer per node since issue #15).
 */
export class ServedRequest implements Expiring {
  readonly peer: string;
  readonly body: unknown;
  readonly timeoutMs: number;
  // Its entry in the node's DeadlineQueue (written by the queue only). Kept in the declarations
  // (stripInternal would drop them), which must still show that the class implements Expiring.
  deadlineAt = 0;
  queueIndex = -1;
  private readonly abort = new LazyAbort();
  private settled = false;

  constructor(
    private readonly link: ResponseLink,
    private readonly message: RequestMessage,
    private readonly maxFrameBytes: number,
    /** Called once when the request leaves: responded to, past its deadline, or cancelled. */
    private readonly onDone: (request: ServedRequest) => void,
    private readonly deadlines: DeadlineQueue,
  ) {
    this.peer = link.peer!;
    this.body = message.body;
    this.timeoutMs = message.timeoutMs;
    // The sender gives up at its deadline; the handler hears of it through the signal.
    deadlines.add(this, message.timeoutMs);
  }

  /** The sender's deadline passed (called by the DeadlineQueue). */
  expire(): void {
    this.cancel(new TimeoutError(`A request from node "${this.peer}" passed its ${this.timeoutMs} ms deadline.`));
  }

  /** Aborts when the deadline passes or the link ends; made only when read (lazy-abort.ts). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The sender has stopped waiting: its deadline passed, or the link ended. */
  get aborted(): boolean {
    return this.abort.aborted;
  }

  /**
   * Sends the response. Throws ClusterError when `body` cannot be encoded
   * (ERR_CLUSTER_ENCODE) or is over maxFrameBytes (ERR_CLUSTER_FRAME_TOO_LARGE), leaving the
   * request open for another response. Past the deadline, or with the link gone, the sender has
   * stopped waiting and nothing is sent.
   */
  respond(body: unknown): void {
    if (this.settled) return;
    if (!this.abort.aborted) this.link.sendFrame(this.responseFrame(body));
    this.finish();
  }

  /** Aborts the signal with `reason` and leaves the deadline queue (the link ended). */
  cancel(reason: unknown): void {
    this.abort.abort(reason);
    this.finish();
  }

  private responseFrame(body: unknown): Buffer {
    let frame: Buffer;
    try {
      frame = encodeFrame({ type: 'response', id: this.message.id, body } satisfies ResponseMessage);
    } catch (error) {
      throw new ClusterError('ERR_CLUSTER_ENCODE', `The response cannot be encoded: ${errorText(error)}`, { cause: error });
    }
    const bytes = frame.length - FRAME_HEADER_BYTES;
    if (bytes > this.maxFrameBytes) {
      throw new ClusterError('ERR_CLUSTER_FRAME_TOO_LARGE', `The response is ${bytes} bytes, over maxFrameBytes (${this.maxFrameBytes}).`);
    }
    return frame;
  }

  private finish(): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.remove(this);
    this.onDone(this);
  }
}
