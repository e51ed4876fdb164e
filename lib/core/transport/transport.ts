import type { Server } from 'node:net';
import {
  ClusterError,
  NodeNotFoundError,
  NodeUnavailableError,
  ShuttingDownError,
  TimeoutError,
} from '../errors.js';
import { errorText } from '../logger.js';
import { nodeAddress } from '../node.js';
import { MAX_CALL_TIMEOUT_MS, type RemoteCaller } from '../rpc/call-dispatcher.js';
import type { CallOutcome } from '../rpc/function-runner.js';
import { CallServer } from './call-server.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame-codec.js';
import { keepAliveMs, PeerConnections, PONG_FRAME } from './peer-connections.js';
import type { PeerLink } from './peer-link.js';
import { assertListenAllowed, insecureListenWarning } from './protected-mode.js';
import type { CallMessage, SessionMessage } from './protocol.js';
import { secretKey } from './secret-key.js';
import { assertMutualTlsOptions, createListener, remoteAddressOf } from './sockets.js';
import type { TransportOptions, TransportStats } from './transport-types.js';
import { ViolationLog } from './violation-log.js';

export type { PeerStats, TransportOptions, TransportStats } from './transport-types.js';

type MessageHandler = (from: string, payload: unknown) => void;
type PeerLostHandler = (peer: string) => void;
type PeerChangeHandler = (peer: string, alive: boolean) => void;

/**
 * The node-to-node transport (DESIGN §6): one listener, one outbound connection per peer, framed
 * MessagePack messages (lib/core/codec.ts), sealed in secret mode; election messages and remote
 * calls share the connections.
 *
 * Each pair of nodes holds up to two connections, one dialled by each side. A node sends over the
 * connection it dialled and falls back to the one its peer dialled, so one working direction is
 * enough; a result always returns over the connection its call came in on. Election messages are
 * fire-and-forget and may be lost or, across a switch of connection, reordered (Raft copes with
 * both); calls are matched to results by id.
 *
 * @example
 * const transport = new Transport({ ...settings, runner, clock: systemClock, logger: settings.logger });
 * transport.onMessage((from, payload) => driver.deliver(from, payload));
 * transport.onPeerLost((peer) => driver.peerCrashed(peer));
 * await transport.start();
 * transport.send('n2', { kind: 'pre-vote', term: 3 });
 * const outcome = await transport.call('n2', 'processData', { id: 1 }, 'trace-1', 5000);
 * await transport.close();
 */
export class Transport implements RemoteCaller {
  private readonly connections: PeerConnections;
  private readonly callServer: CallServer;
  private readonly violations: ViolationLog;
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly lostHandlers: PeerLostHandler[] = [];
  private readonly changeHandlers: PeerChangeHandler[] = [];
  private server: Server | undefined;
  private state: 'new' | 'started' | 'closed' = 'new';
  private nextCallId = 1;
  private readonly counts = { callsSent: 0, timedOut: 0, notConnected: 0, lateResults: 0, messagesSent: 0, messagesReceived: 0 };

  constructor(private readonly options: TransportOptions) {
    this.callServer = new CallServer(options.runner, options.maxFrameBytes);
    this.violations = new ViolationLog(options.clock, options.logger, options.self.name);
    this.connections = new PeerConnections(options, this.violations, {
      message: (link, message) => this.onSessionMessage(link, message),
      lost: (peer) => this.notify('onPeerLost', this.lostHandlers, (h) => h(peer)),
      change: (peer, alive) => this.notify('onPeerChange', this.changeHandlers, (h) => h(peer, alive)),
    });
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
    assertListenAllowed(this.options.self, this.options);
    assertMutualTlsOptions(this.options.tls);
    const warning = insecureListenWarning(this.options.self, this.options);
    if (warning) this.options.logger.warn(warning);
    this.state = 'started';
    const { secret } = this.options;
    const key = secret === undefined ? undefined : await secretKey(secret, this.connections.clusterIdentity);
    // close() during the stretch: nothing to listen for.
    if (this.state !== 'started') return;
    const server = createListener(
      { tls: this.options.tls, handshakeTimeoutMs: this.options.handshakeTimeoutMs },
      {
        onRawSocket: (socket) => this.connections.trackAccepted(socket),
        onSocket: (socket) => this.connections.accept(socket),
        onTlsRefused: (error, socket) => {
          const reason = /timeout/i.test(error.message) ? 'handshake-timeout' : 'tls-refused';
          this.violations.record(reason, error.message, remoteAddressOf(socket));
          socket.destroy();
        },
      },
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // close() during the listen: Node drops the pending listen, and its callback never comes.
      server.once('close', resolve);
      server.listen({ host: this.options.self.ip, port: this.options.self.port }, () => {
        server.off('error', reject);
        server.off('close', resolve);
        resolve();
      });
    }).catch((error: unknown) => {
      this.state = 'closed';
      this.server = undefined;
      throw new ClusterError(
        'ERR_CLUSTER_LISTEN',
        `Node "${this.options.self.name}" cannot listen on ${nodeAddress(this.options.self)}: ${errorText(error)}.`,
        { cause: error },
      );
    });
    if (this.state !== 'started') return;
    server.on('error', (error) => this.options.logger.error(`Cluster listener error: ${errorText(error)}`));
    this.connections.start(key);
  }

  /**
   * Ends everything: the listener, every socket (accepted ones included), every timer. Calls in
   * flight reject with ShuttingDownError and served calls see their signal abort. Idempotent.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    // The listener goes first, so a peer's re-dial is refused, exactly as after a crash.
    const server = this.server;
    this.server = undefined;
    const serverClosed = server && new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([serverClosed, this.connections.close()]);
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

  /** The port the listener is bound to (useful with port 0), while started. */
  get port(): number | undefined {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }

  /**
   * Calls `funcName` on `nodeName` (RemoteCaller). Rejects with NodeUnavailableError at once when
   * no connection to it is up, or when the connection dies mid-call; with TimeoutError after
   * `timeoutMs` (the callee's signal aborts at the same deadline); with ShuttingDownError on close().
   */
  async call(
    nodeName: string,
    funcName: string,
    param: unknown,
    traceId: string | undefined,
    timeoutMs: number,
  ): Promise<CallOutcome> {
    if (this.state === 'closed') throw new ShuttingDownError();
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_CALL_TIMEOUT_MS) {
      throw new ClusterError(
        'ERR_CLUSTER_INVALID_ARGUMENT',
        `Call of "${funcName}": timeoutMs must be a positive number of milliseconds; got ${timeoutMs}.`,
      );
    }
    const peers = this.connections.peerNames;
    if (!peers.includes(nodeName)) throw new NodeNotFoundError(nodeName, peers);
    const link = this.connections.linkTo(nodeName);
    if (!link) {
      this.counts.notConnected++;
      throw new NodeUnavailableError(nodeName, 'no connection to it is up');
    }
    const id = this.nextCallId++;
    const frame = this.callFrame({ type: 'call', id, funcName, param, traceId, timeoutMs }, nodeName);
    const outcome = link.calls.add(id, timeoutMs, () => {
      this.counts.timedOut++;
      return new TimeoutError(`Call of "${funcName}" on node "${nodeName}" timed out after ${timeoutMs} ms.`);
    });
    this.counts.callsSent++;
    link.sendFrame(frame);
    return outcome;
  }

  stats(): TransportStats {
    const c = this.counts;
    const { connections, peers } = this.connections.stats();
    return {
      violations: this.violations.snapshot(),
      connections,
      calls: {
        sent: c.callsSent,
        served: this.callServer.callsServed,
        timedOut: c.timedOut,
        unavailable: c.notConnected + this.connections.callsCutOff,
        lateResults: c.lateResults,
      },
      messages: { sent: c.messagesSent, received: c.messagesReceived },
      peers,
    };
  }

  private callFrame(message: CallMessage, nodeName: string): Buffer {
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      throw new ClusterError(
        'ERR_CLUSTER_INVALID_ARGUMENT',
        `Call of "${message.funcName}" on node "${nodeName}": the parameter cannot be encoded (${errorText(error)}).`,
        { cause: error },
      );
    }
    const bytes = frame.length - FRAME_HEADER_BYTES;
    if (bytes > this.options.maxFrameBytes) {
      throw new ClusterError(
        'ERR_CLUSTER_FRAME_TOO_LARGE',
        `Call of "${message.funcName}" on node "${nodeName}": the call is ${bytes} bytes, over maxFrameBytes (${this.options.maxFrameBytes}).`,
      );
    }
    return frame;
  }

  private onSessionMessage(link: PeerLink, message: SessionMessage): void {
    switch (message.type) {
      case 'ping':
        // A link that carries our traffic already keeps the pinger's idle deadline at bay.
        if (this.options.clock.now() - link.lastSent >= keepAliveMs(this.options)) link.sendFrame(PONG_FRAME);
        return;
      case 'pong':
        return;
      case 'raft':
        this.counts.messagesReceived++;
        this.notify('onMessage', this.messageHandlers, (h) => h(link.peer!, message.payload));
        return;
      case 'call':
        this.callServer.serve(link, message);
        return;
      case 'result':
        if (!link.calls.settle(message.id, message.outcome)) this.counts.lateResults++;
        return;
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
