import type { Server, Socket } from 'node:net';
import { DeadlineQueue } from '../deadline.js';
import { ClusterError, ShuttingDownError } from '../errors.js';
import { errorText } from '../logger.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame-codec.js';
import { listen } from './listener.js';
import { keepAliveMs, PONG_FRAME } from './keep-alive.js';
import { PeerConnections } from './peer-connections.js';
import type { PeerLink } from './peer-link.js';
import { assertListenAllowed, insecureListenWarning } from './protected-mode.js';
import type { SessionMessage } from './protocol.js';
import { Requests, type RequestHandler } from './requests.js';
import { secretKey } from './secret-key.js';
import { assertMutualTlsOptions } from './sockets.js';
import type { RequestOptions, RequestTransport, TransportOptions, TransportStats } from './transport-types.js';
import { ViolationLog } from './violation-log.js';

export type { PeerStats, RequestOptions, RequestTransport, TransportOptions, TransportStats } from './transport-types.js';
export type { ServedRequest } from './served-request.js';

type MessageHandler = (from: string, payload: unknown) => void;
type PeerLostHandler = (peer: string) => void;
type PeerChangeHandler = (peer: string, alive: boolean) => void;

/**
 * The node-to-node transport (DESIGN §6): one listener, one outbound connection per peer, framed
 * MessagePack messages (lib/core/codec.ts), sealed in secret mode. It carries two kinds of
 * traffic and knows the meaning of neither: election messages (fire-and-forget) and requests
 * matched to their responses by id, with a deadline (rpc/ builds remote calls on them).
 *
 * Each pair of nodes holds up to two connections, one dialled by each side. A node sends over the
 * connection it dialled and falls back to the one its peer dialled, so one working direction is
 * enough; a response always returns over the connection its request came in on. Election messages
 * may be lost or, across a switch of connection, reordered (Raft copes with both).
 *
 * @example
 * const transport = new Transport({ ...settings, clock: systemClock, logger: settings.logger });
 * transport.onMessage((from, payload) => driver.deliver(from, payload));
 * transport.onRequest((request) => request.respond(`hello, ${request.peer}`));
 * await transport.start();
 * transport.send('n2', { kind: 'pre-vote', term: 3 });
 * const reply = await transport.request('n2', 'hi', { timeoutMs: 5000, parse: String, what: 'Greeting' });
 * await transport.close();
 */
export class Transport implements RequestTransport {
  private readonly connections: PeerConnections;
  private readonly violations: ViolationLog;
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly lostHandlers: PeerLostHandler[] = [];
  private readonly changeHandlers: PeerChangeHandler[] = [];
  private readonly requests: Requests;
  private readonly deadlines: DeadlineQueue;
  private server: Server | undefined;
  private state: 'new' | 'started' | 'closed' = 'new';
  private readonly counts = { messagesSent: 0, messagesReceived: 0 };

  constructor(private readonly options: TransportOptions) {
    this.violations = new ViolationLog(options.clock, options.logger, options.self.name);
    this.connections = new PeerConnections(options, this.violations, {
      message: (link, message) => this.onSessionMessage(link, message),
      lost: (peer) => this.notify('onPeerLost', this.lostHandlers, (h) => h(peer)),
      change: (peer, alive) => this.notify('onPeerChange', this.changeHandlers, (h) => h(peer, alive)),
    });
    this.deadlines = new DeadlineQueue(options.clock);
    this.requests = new Requests(options.maxFrameBytes, (peer) => this.connections.linkTo(peer), this.deadlines);
  }

  /**
   * Listens on this node's address, then dials every peer (and keeps re-dialling). Throws
   * ClusterConfigError in protected mode: a non-loopback address with neither `secret` nor `tls`
   * and no `insecure: true`.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new ClusterError('ERR_CLUSTER_TRANSPORT_STATE', `The transport of node "${this.options.self.name}" was already started.`);
    }
    const { self, secret, tls, handshakeTimeoutMs, logger } = this.options;
    assertListenAllowed(self, this.options);
    assertMutualTlsOptions(tls);
    const warning = insecureListenWarning(self, this.options);
    if (warning) logger.warn(warning);
    this.state = 'started';
    const key = secret === undefined ? undefined : await secretKey(secret, this.connections.clusterIdentity);
    // close() during the stretch: nothing to listen for.
    if (this.state !== 'started') return;
    const handlers = {
      onRawSocket: (socket: Socket) => this.connections.trackAccepted(socket),
      onSocket: (socket: Socket) => this.connections.accept(socket),
    };
    const server = await listen(self, { tls, handshakeTimeoutMs }, handlers, this.violations, logger, (s) => (this.server = s)).catch(
      (error: unknown) => {
        this.state = 'closed';
        this.server = undefined;
        throw error;
      },
    );
    if (!server || this.state !== 'started') return;
    this.connections.start(key);
  }

  /**
   * Ends everything: the listener, every socket (accepted ones included), every timer. Requests in
   * flight reject with ShuttingDownError and served requests see their signal abort. Idempotent.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    // The listener goes first, so a peer's re-dial is refused, exactly as after a crash.
    const server = this.server;
    this.server = undefined;
    const serverClosed = server && new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([serverClosed, this.connections.close()]);
    // Every link's end settled its requests and left the queue empty; its timer goes too.
    this.deadlines.clear();
  }

  /**
   * Sends an election message to `peer`, fire-and-forget; false if no connection to it is up (or
   * the payload cannot be encoded or is over maxFrameBytes). Never throws.
   */
  send(peer: string, payload: unknown): boolean {
    const link = this.connections.linkTo(peer);
    if (!link) return false;
    let frame: Buffer;
    try {
      frame = encodeFrame({ type: 'raft', payload });
    } catch (error) {
      this.options.logger.error(`Cannot encode an election message for "${peer}": ${errorText(error)}`);
      return false;
    }
    if (frame.length - FRAME_HEADER_BYTES > this.options.maxFrameBytes) {
      // The peer would hang up on it as a violation; dropping it here keeps the connection.
      this.options.logger.error(`An election message for "${peer}" is ${frame.length} bytes, over maxFrameBytes; not sent.`);
      return false;
    }
    const sent = link.sendFrame(frame);
    if (sent) this.counts.messagesSent++;
    return sent;
  }

  /** Receives every election message, with the name of the node that sent it. */
  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  /**
   * DESIGN §4 "detect fast": fires when a connection to `peer` ended and an immediate re-dial was
   * refused (ECONNREFUSED, or reset before the peer said anything: the dial raced the kernel
   * closing a dead listener), which is what a crashed process looks like. A hint only: a network
   * fault can produce it for a live peer, so safety must not rest on it.
   */
  onPeerLost(handler: PeerLostHandler): void {
    this.lostHandlers.push(handler);
  }

  /** Fires on every change of `isAlive(peer)` (checked on connection events and every heartbeat). */
  onPeerChange(handler: PeerChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  /** Connected (handshake done) and heard from within the election timeout. */
  isAlive(peer: string): boolean {
    return this.connections.isAlive(peer);
  }

  /** Names of the peers alive now. */
  alivePeers(): string[] {
    return this.connections.peerNames.filter((name) => this.connections.isAlive(name));
  }

  /** Every configured node but this one. */
  get peerNames(): readonly string[] {
    return this.connections.peerNames;
  }

  /** The port the listener is bound to (useful with port 0), while started. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  /**
   * Serves the requests peers send. The handler runs synchronously as the request is read; a
   * ProtocolError it throws (a body it cannot read) drops the link as a violation of the peer's,
   * counted and logged like any other (DESIGN §6). One handler; a second replaces the first.
   */
  onRequest(handler: RequestHandler): void {
    this.requests.onRequest(handler);
  }

  /**
   * Sends a request to `peer` and resolves with `options.parse` of its response. Rejects with
   * NodeUnavailableError at once when no connection to it is up, or when the connection dies
   * before the response; with TimeoutError after `timeoutMs` (the receiver's signal aborts at the
   * same deadline); with ShuttingDownError on close(). A response `parse` rejects with a
   * ProtocolError drops the link as the peer's violation.
   */
  request<T>(peer: string, body: unknown, options: RequestOptions<T>): Promise<T> {
    if (this.state === 'closed') return Promise.reject(new ShuttingDownError());
    // Not async: the pending request's own promise goes back to the caller, with no hop between.
    try {
      return this.requests.send(peer, body, options);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  stats(): TransportStats {
    const c = this.counts;
    const { connections, peers } = this.connections.stats();
    return {
      violations: this.violations.snapshot(),
      connections,
      calls: this.requests.stats(this.connections.requestsCutOff),
      messages: { sent: c.messagesSent, received: c.messagesReceived },
      peers,
    };
  }

  private onSessionMessage(link: PeerLink, message: SessionMessage): void {
    switch (message.type) {
      case 'ping':
        this.connections.pinged(link);
        // A link that carries our traffic already keeps the pinger's idle deadline at bay.
        if (this.options.clock.now() - link.lastSent >= keepAliveMs(this.options)) link.sendFrame(PONG_FRAME);
        return;
      case 'pong':
        return;
      case 'raft':
        this.counts.messagesReceived++;
        this.notify('onMessage', this.messageHandlers, (h) => h(link.peer!, message.payload));
        return;
      case 'request':
        return this.requests.serve(link, message);
      case 'response':
        return this.requests.settle(link, message);
    }
  }

  /** A throwing handler is the election driver's bug; it must not take a connection down with it. */
  private notify<H>(what: string, handlers: readonly H[], call: (handler: H) => void): void {
    for (const handler of handlers) {
      try {
        call(handler);
      } catch (error) {
        this.options.logger.error(`Transport ${what} handler threw: ${errorText(error)}`, error instanceof Error ? error.stack : undefined);
      }
    }
  }
}
