import type { DeadlineQueue } from '../deadline.js';
import { ClusterError, NodeUnavailableError, ProtocolError, TimeoutError } from '../errors.js';
import { errorText } from '../logger.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame-codec.js';
import type { PeerLink } from './peer-link.js';
import { MAX_TIMER_MS, type RequestMessage, type ResponseMessage } from './protocol.js';
import { ServedRequest } from './served-request.js';
import type { RequestOptions, TransportStats } from './transport-types.js';

export type RequestHandler = (request: ServedRequest) => void;

/**
 * Request/response over the links (DESIGN §6: every request carries an id; replies are matched by
 * id, never by time window). Outgoing requests wait in their link's `requests` and leave by their
 * response, their deadline or the link's end; incoming ones are `ServedRequest`s in the link's
 * `serving`, cancelled when it ends. What a body means is the layer above's business.
 */
export class Requests {
  private handler: RequestHandler | undefined;
  private nextId = 1;
  private readonly counts = { sent: 0, served: 0, timedOut: 0, notConnected: 0, lateResponses: 0 };

  constructor(
    private readonly maxFrameBytes: number,
    private readonly linkTo: (peer: string) => PeerLink | undefined,
    /** Every deadline of this node's requests, sent and served, under one timer (issue #15). */
    private readonly deadlines: DeadlineQueue,
  ) {}

  onRequest(handler: RequestHandler): void {
    this.handler = handler;
  }

  send<T>(peer: string, body: unknown, options: RequestOptions<T>): Promise<T> {
    const { timeoutMs, what } = options;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMER_MS) {
      throw new ClusterError('ERR_CLUSTER_INVALID_ARGUMENT', `${what}: timeoutMs must be a positive number of milliseconds; got ${timeoutMs}.`);
    }
    const link = this.linkTo(peer);
    if (!link) {
      this.counts.notConnected++;
      throw new NodeUnavailableError(peer, 'no connection to it is up');
    }
    const id = this.nextId++;
    const frame = this.requestFrame({ type: 'request', id, timeoutMs, body }, peer, what);
    const response = link.requests.add(id, peer, options, this.deadlines, this.timedOut);
    this.counts.sent++;
    link.sendFrame(frame);
    return response;
  }

  /** A request from the peer; a ProtocolError from the handler ends the link as a violation. */
  serve(link: PeerLink, message: RequestMessage): void {
    const handler = this.handler;
    if (!handler) throw new ProtocolError('unexpected-message', 'A request, but this node serves none.');
    const request = new ServedRequest(link, message, this.maxFrameBytes, (done) => link.serving.delete(done), this.deadlines);
    link.serving.add(request);
    try {
      handler(request);
    } catch (error) {
      request.cancel(error);
      throw error;
    }
    this.counts.served++;
  }

  /** A response; one for no waiting request (it timed out) is counted and dropped unread. */
  settle(link: PeerLink, message: ResponseMessage): void {
    if (!link.requests.settle(message.id, message.body)) this.counts.lateResponses++;
  }

  private readonly timedOut = (peer: string, timeoutMs: number, what: string): Error => {
    this.counts.timedOut++;
    return new TimeoutError(`${what} on node "${peer}" timed out after ${timeoutMs} ms.`);
  };

  stats(cutOff: number): TransportStats['calls'] {
    const c = this.counts;
    return { sent: c.sent, served: c.served, timedOut: c.timedOut, unavailable: c.notConnected + cutOff, lateResults: c.lateResponses };
  }

  private requestFrame(message: RequestMessage, peer: string, what: string): Buffer {
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      throw new ClusterError('ERR_CLUSTER_INVALID_ARGUMENT', `${what} on node "${peer}" cannot be encoded: ${errorText(error)}.`, {
        cause: error,
      });
    }
    const bytes = frame.length - FRAME_HEADER_BYTES;
    if (bytes > this.maxFrameBytes) {
      throw new ClusterError('ERR_CLUSTER_FRAME_TOO_LARGE', `${what} on node "${peer}" is ${bytes} bytes, over maxFrameBytes (${this.maxFrameBytes}).`);
    }
    return frame;
  }
}
