import { randomBytes } from 'node:crypto';
import type { Server, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Clock } from '../clock.js';
import {
  ClusterError,
  NodeNotFoundError,
  NodeUnavailableError,
  ShuttingDownError,
  TimeoutError,
  type ViolationReason,
} from '../errors.js';
import { errorText, type ClusterLogger } from '../logger.js';
import { nodeAddress, type NodeConfig } from '../node.js';
import { MAX_CALL_TIMEOUT_MS, type RemoteCaller } from '../rpc/call-dispatcher.js';
import type { CallOutcome, FunctionRunner } from '../rpc/function-runner.js';
import { redialDelayMs } from './backoff.js';
import { CallServer } from './call-server.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './frame-codec.js';
import { Handshake, type HandshakeRole } from './handshake.js';
import { PeerLink, type LinkEnd } from './peer-link.js';
import { assertListenAllowed } from './protected-mode.js';
import { clusterIdentity, NONCE_BYTES, type CallMessage, type SessionMessage } from './protocol.js';
import { createListener, dial, type SocketOptions } from './sockets.js';
import { ViolationLog } from './violation-log.js';

/** What a Transport needs; a `ClusterSettings` supplies every field but the last five. */
export interface TransportOptions {
  readonly self: NodeConfig;
  /** Every configured node, this one included. */
  readonly nodes: readonly NodeConfig[];
  /** A peer silent for longer than this is dropped, and is not alive. */
  readonly electionTimeoutMs: number;
  /** An idle connection sends a ping this often. */
  readonly heartbeatIntervalMs: number;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly secret?: string | undefined;
  readonly tls?: SecureContextOptions | undefined;
  readonly insecure?: boolean;
  /** Serves the calls other nodes make to this one. */
  readonly runner: FunctionRunner;
  readonly clock: Clock;
  readonly logger: ClusterLogger;
  /** [0, 1) source for re-dial jitter; `Math.random` unless a test pins it. */
  readonly random?: () => number;
  /** First re-dial ceiling; doubles per failed dial up to `redialMaxMs`. Default 50 ms. */
  readonly redialBaseMs?: number;
  /** Re-dial ceiling. Default: the election timeout, so a returning peer is back within one. */
  readonly redialMaxMs?: number;
}

export interface PeerStats {
  readonly alive: boolean;
  readonly outbound: boolean;
  readonly inbound: boolean;
}

export interface TransportStats {
  /** Connections dropped for breaking the protocol, by reason. */
  readonly violations: Partial<Record<ViolationReason, number>>;
  readonly connections: {
    readonly accepted: number;
    readonly dialled: number;
    readonly dialFailures: number;
    readonly established: number;
    /** Established links dropped for silence longer than the election timeout. */
    readonly idleDropped: number;
    /** Inbound links replaced by a newer one from the same node. */
    readonly replaced: number;
    /** Established links closed by the network or the peer. */
    readonly closed: number;
  };
  readonly calls: {
    readonly sent: number;
    readonly served: number;
    readonly timedOut: number;
    /** Failed fast (not connected) or cut off by a connection that died. */
    readonly unavailable: number;
    /** Results that arrived after their call timed out. */
    readonly lateResults: number;
  };
  readonly messages: { readonly sent: number; readonly received: number };
  readonly peers: Readonly<Record<string, PeerStats>>;
}

interface Peer {
  readonly node: NodeConfig;
  outbound: PeerLink | undefined;
  inbound: PeerLink | undefined;
  redialTimer: NodeJS.Timeout | undefined;
  /** Failed dials since the last established outbound link. */
  failedDials: number;
  /** An established outbound link just ended; the dial now running is the "is it dead?" probe. */
  probing: boolean;
  /** Last alive state reported to onPeerChange. */
  reportedAlive: boolean;
}

type MessageHandler = (from: string, payload: unknown) => void;
type PeerHandler = (peer: string) => void;
type PeerChangeHandler = (peer: string, alive: boolean) => void;

/**
 * The node-to-node transport (DESIGN §6): one listener, one outbound connection per peer, framed
 * msgpackr messages, election messages and remote calls over the same connections.
 *
 * Each pair of nodes holds up to two connections, one dialled by each side. A node sends over the
 * connection it dialled and falls back to the one its peer dialled, so one working direction is
 * enough; a result always returns over the connection its call came in on.
 *
 * A second inbound connection from a node that already has one *replaces* the first: that is what
 * a restarted peer, or one whose side of a half-open connection died, looks like, and refusing it
 * would lock the peer out until our idle deadline. The newcomer has passed the same handshake.
 *
 * @example
 * const transport = new Transport({ ...settings, runner, clock: systemClock, logger });
 * transport.onMessage((from, payload) => engine.step(from, payload));
 * transport.onPeerLost((peer) => engine.peerLost(peer));
 * await transport.start();
 * transport.send('n2', { kind: 'vote-request', term: 3 });
 * const outcome = await transport.call('n2', 'processData', { id: 1 }, 'trace-1', 5000);
 * await transport.close();
 */
export class Transport implements RemoteCaller {
  private readonly peers = new Map<string, Peer>();
  private readonly clusterId: string;
  private readonly socketOptions: SocketOptions;
  private readonly callServer: CallServer;
  private readonly violations: ViolationLog;
  private readonly random: () => number;
  private readonly messageHandlers: MessageHandler[] = [];
  private readonly lostHandlers: PeerHandler[] = [];
  private readonly changeHandlers: PeerChangeHandler[] = [];
  /** Every socket this node holds, accepted or dialled, handshaken or not: close() ends them all. */
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<PeerLink>();
  private server: Server | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private state: 'new' | 'started' | 'closed' = 'new';
  private nextCallId = 1;
  private readonly counters = {
    accepted: 0, dialled: 0, dialFailures: 0, established: 0, idleDropped: 0, replaced: 0, closed: 0,
    callsSent: 0, timedOut: 0, unavailable: 0, lateResults: 0, messagesSent: 0, messagesReceived: 0,
  };

  constructor(private readonly options: TransportOptions) {
    this.clusterId = clusterIdentity(options.nodes);
    this.socketOptions = { tls: options.tls, handshakeTimeoutMs: options.handshakeTimeoutMs };
    this.callServer = new CallServer(options.runner, options.maxFrameBytes);
    this.violations = new ViolationLog(options.clock, options.logger, options.self.name);
    this.random = options.random ?? Math.random;
    for (const node of options.nodes) {
      if (node.name === options.self.name) continue;
      this.peers.set(node.name, {
        node, outbound: undefined, inbound: undefined, redialTimer: undefined,
        failedDials: 0, probing: false, reportedAlive: false,
      });
    }
  }

  /**
   * Listens on this node's address, then dials every peer (and keeps re-dialling). Throws
   * ClusterConfigError in protected mode (a non-loopback address without `secret` or `tls`).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new ClusterError('ERR_CLUSTER_TRANSPORT_STATE', `Transport of "${this.options.self.name}" was already started.`);
    assertListenAllowed(this.options.self, this.options);
    this.state = 'started';
    const server = createListener(this.socketOptions, {
      onRawSocket: (socket) => this.track(socket),
      onSocket: (socket) => this.accept(socket),
      onTlsRefused: (error, socket) => {
        const timedOut = /timeout/i.test(error.message);
        this.violations.record(timedOut ? 'handshake-timeout' : 'tls-refused', error.message, `${socket.remoteAddress}:${socket.remotePort}`);
        socket.destroy();
      },
    });
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
    server.on('error', (error) => this.options.logger.error(`Cluster listener error: ${errorText(error)}`));
    if (this.state !== 'started') return;
    for (const peer of this.peers.values()) this.dial(peer);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.options.heartbeatIntervalMs);
  }

  /**
   * Ends everything: the listener, every socket (accepted ones included), every timer. Calls in
   * flight reject with ShuttingDownError and served calls see their signal abort. Idempotent.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    // The listener goes first, so a peer's re-dial is refused, exactly as after a crash.
    const server = this.server;
    this.server = undefined;
    const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    for (const peer of this.peers.values()) {
      clearTimeout(peer.redialTimer);
      peer.redialTimer = undefined;
    }
    for (const link of [...this.links]) link.destroy({ kind: 'shutdown' });
    const socketsClosed = [...this.sockets].map(
      (socket) => new Promise<void>((resolve) => {
        if (socket.closed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
    );
    await Promise.all([serverClosed, ...socketsClosed]);
  }

  /** Sends an election message to `peer`; false if no connection to it is up. Never throws. */
  send(peer: string, payload: unknown): boolean {
    const link = this.linkTo(peer);
    if (!link) return false;
    let frame: Buffer;
    try {
      frame = encodeFrame({ type: 'raft', payload });
    } catch (error) {
      this.options.logger.error(`Cannot encode an election message for "${peer}": ${errorText(error)}`);
      return false;
    }
    const sent = link.sendFrame(frame);
    if (sent) this.counters.messagesSent++;
    return sent;
  }

  /** Receives every election message, with the name of the node that sent it. */
  onMessage(handler: MessageHandler): void {
    this.messageHandlers.push(handler);
  }

  /**
   * DESIGN §4 "detect fast": fires when the connection this node dialled to `peer` ended and an
   * immediate re-dial was refused (ECONNREFUSED), which is what a crashed process looks like. A
   * hint only: a network fault can produce it for a live peer, so safety must not rest on it.
   */
  onPeerLost(handler: PeerHandler): void {
    this.lostHandlers.push(handler);
  }

  /** Fires on every change of `isAlive(peer)` seen by this transport. */
  onPeerChange(handler: PeerChangeHandler): void {
    this.changeHandlers.push(handler);
  }

  /** Connected (handshake done) and heard from within the election timeout. */
  isAlive(peer: string): boolean {
    const p = this.peers.get(peer);
    if (!p) return false;
    const now = this.options.clock.now();
    const fresh = (link: PeerLink | undefined) =>
      link !== undefined && link.peer !== undefined && !link.ended && now - link.lastHeard <= this.options.electionTimeoutMs;
    return fresh(p.outbound) || fresh(p.inbound);
  }

  /** Names of the peers alive now. */
  alivePeers(): string[] {
    return [...this.peers.keys()].filter((name) => this.isAlive(name));
  }

  /** The port the listener is bound to (useful with port 0), once started. */
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
    if (!this.peers.has(nodeName)) throw new NodeNotFoundError(nodeName, [...this.peers.keys()]);
    const link = this.linkTo(nodeName);
    if (!link) {
      this.counters.unavailable++;
      throw new NodeUnavailableError(nodeName, 'no connection to it is up');
    }
    const id = this.nextCallId++;
    const message: CallMessage = { type: 'call', id, funcName, param, traceId, timeoutMs };
    let frame: Buffer;
    try {
      frame = encodeFrame(message);
    } catch (error) {
      throw new ClusterError(
        'ERR_CLUSTER_INVALID_ARGUMENT',
        `Call of "${funcName}" on node "${nodeName}": the parameter cannot be encoded (${errorText(error)}).`,
        { cause: error },
      );
    }
    if (frame.length - FRAME_HEADER_BYTES > this.options.maxFrameBytes) {
      throw new ClusterError(
        'ERR_CLUSTER_FRAME_TOO_LARGE',
        `Call of "${funcName}" on node "${nodeName}": the parameter makes a ${frame.length} byte frame, over maxFrameBytes (${this.options.maxFrameBytes}).`,
      );
    }
    const outcome = link.calls.add(id, timeoutMs, () => {
      this.counters.timedOut++;
      return new TimeoutError(`Call of "${funcName}" on node "${nodeName}" timed out after ${timeoutMs} ms.`);
    });
    this.counters.callsSent++;
    link.sendFrame(frame);
    return outcome;
  }

  stats(): TransportStats {
    const c = this.counters;
    const peers: Record<string, PeerStats> = {};
    for (const [name, p] of this.peers) {
      peers[name] = { alive: this.isAlive(name), outbound: p.outbound?.peer !== undefined, inbound: p.inbound !== undefined };
    }
    return {
      violations: this.violations.snapshot(),
      connections: {
        accepted: c.accepted, dialled: c.dialled, dialFailures: c.dialFailures, established: c.established,
        idleDropped: c.idleDropped, replaced: c.replaced, closed: c.closed,
      },
      calls: {
        sent: c.callsSent, served: this.callServer.callsServed, timedOut: c.timedOut,
        unavailable: c.unavailable, lateResults: c.lateResults,
      },
      messages: { sent: c.messagesSent, received: c.messagesReceived },
      peers,
    };
  }

  // --- connections -------------------------------------------------------------------------

  private track(socket: Socket): void {
    // Errors are the link's (or the TLS layer's) to handle; this listener only keeps an error on
    // a raw socket from ever being an uncaught 'error' event.
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(socket: Socket): void {
    if (this.state !== 'started') return void socket.destroy();
    this.counters.accepted++;
    this.openLink(socket, 'acceptor', undefined);
  }

  private dial(peer: Peer): void {
    peer.redialTimer = undefined;
    if (this.state !== 'started' || peer.outbound) return;
    this.counters.dialled++;
    const socket = dial(peer.node, this.socketOptions);
    this.track(socket);
    peer.outbound = this.openLink(socket, 'dialer', peer.node.name);
  }

  private openLink(socket: Socket, role: HandshakeRole, expectedPeer: string | undefined): PeerLink {
    const { self, secret, maxFrameBytes, handshakeTimeoutMs, clock } = this.options;
    const handshake = new Handshake({
      role, selfName: self.name, clusterId: this.clusterId, peers: new Set(this.peers.keys()),
      expectedPeer, secret, nonce: randomBytes(NONCE_BYTES),
    });
    const link = new PeerLink(socket, role === 'dialer' ? 'outbound' : 'inbound', handshake, { maxFrameBytes, handshakeTimeoutMs, clock }, {
      established: (l) => this.onEstablished(l),
      message: (l, m) => this.onSessionMessage(l, m),
      ended: (l, end) => this.onEnded(l, end),
    });
    this.links.add(link);
    return link;
  }

  private onEstablished(link: PeerLink): void {
    const peer = this.peers.get(link.peer!)!;
    this.counters.established++;
    if (link.direction === 'outbound') {
      peer.failedDials = 0;
      peer.probing = false;
    } else {
      const previous = peer.inbound;
      peer.inbound = link;
      if (previous) previous.destroy({ kind: 'replaced' });
    }
    this.reportAliveness(peer);
  }

  private onEnded(link: PeerLink, end: LinkEnd): void {
    this.links.delete(link);
    const name = link.peer;
    const error = () =>
      this.state === 'closed' ? new ShuttingDownError() : new NodeUnavailableError(name ?? '?', 'its connection closed');
    if (this.state !== 'closed') this.counters.unavailable += link.calls.size;
    link.calls.failAll(error);
    for (const controller of link.serving) controller.abort(error());
    link.serving.clear();
    this.countEnd(link, end);

    const peer = link.direction === 'outbound'
      ? [...this.peers.values()].find((p) => p.outbound === link)
      : name !== undefined ? this.peers.get(name) : undefined;
    if (!peer) return;
    if (peer.inbound === link) {
      peer.inbound = undefined;
      this.afterInboundEnded(peer, end);
    }
    if (peer.outbound === link) {
      peer.outbound = undefined;
      this.afterOutboundEnded(peer, link, end);
    }
    this.reportAliveness(peer);
  }

  /**
   * The peer's own connection to us ended while ours to it is not up (still backing off): probe
   * now rather than at the next backoff tick, so a crash is noticed as fast as it would be on
   * our own connection.
   */
  private afterInboundEnded(peer: Peer, end: LinkEnd): void {
    if (this.state !== 'started' || end.kind === 'replaced' || peer.outbound) return;
    clearTimeout(peer.redialTimer);
    peer.probing = true;
    this.dial(peer);
  }

  private afterOutboundEnded(peer: Peer, link: PeerLink, end: LinkEnd): void {
    if (this.state !== 'started') return;
    if (link.peer !== undefined) {
      // It was up: re-dial at once. A refusal means nobody listens there any more (DESIGN §4).
      peer.probing = true;
      this.dial(peer);
      return;
    }
    this.counters.dialFailures++;
    const refused = end.kind === 'closed' && end.error?.code === 'ECONNREFUSED';
    if (peer.probing) {
      peer.probing = false;
      if (refused) this.emit(this.lostHandlers, peer.node.name);
    }
    const delay = redialDelayMs(
      peer.failedDials++,
      this.options.redialBaseMs ?? 50,
      this.options.redialMaxMs ?? this.options.electionTimeoutMs,
      this.random,
    );
    peer.redialTimer = setTimeout(() => this.dial(peer), delay);
  }

  private countEnd(link: PeerLink, end: LinkEnd): void {
    switch (end.kind) {
      case 'violation':
        this.violations.record(end.reason, end.detail, link.peer ? `"${link.peer}" (${link.remote})` : link.remote);
        return;
      case 'idle':
        this.counters.idleDropped++;
        return;
      case 'replaced':
        this.counters.replaced++;
        return;
      case 'closed':
        if (link.peer !== undefined) this.counters.closed++;
        return;
      case 'shutdown':
        return;
    }
  }

  private linkTo(name: string): PeerLink | undefined {
    const peer = this.peers.get(name);
    if (!peer || this.state !== 'started') return undefined;
    if (peer.outbound?.peer !== undefined && !peer.outbound.ended) return peer.outbound;
    if (peer.inbound && !peer.inbound.ended) return peer.inbound;
    return undefined;
  }

  // --- messages ----------------------------------------------------------------------------

  private onSessionMessage(link: PeerLink, message: SessionMessage): void {
    switch (message.type) {
      case 'ping':
        link.send({ type: 'pong' });
        return;
      case 'pong':
        return;
      case 'raft':
        this.counters.messagesReceived++;
        for (const handler of this.messageHandlers) this.guard('onMessage', () => handler(link.peer!, message.payload));
        return;
      case 'call':
        this.callServer.serve(link, message);
        return;
      case 'result':
        if (!link.calls.settle(message.id, message.outcome)) this.counters.lateResults++;
        return;
    }
  }

  /**
   * Every heartbeat interval: drop links silent for longer than the election timeout, and ping
   * links that sent nothing for half an interval, so a healthy idle link is never silent for
   * more than about 1.5 intervals (heartbeat is at most half the election timeout).
   */
  private heartbeat(): void {
    const now = this.options.clock.now();
    const { electionTimeoutMs, heartbeatIntervalMs } = this.options;
    for (const link of [...this.links]) {
      if (link.peer === undefined) continue;
      if (now - link.lastHeard > electionTimeoutMs) link.destroy({ kind: 'idle' });
      else if (now - link.lastSent >= heartbeatIntervalMs / 2) link.send({ type: 'ping' });
    }
    for (const peer of this.peers.values()) this.reportAliveness(peer);
  }

  private reportAliveness(peer: Peer): void {
    const alive = this.state === 'started' && this.isAlive(peer.node.name);
    if (alive === peer.reportedAlive) return;
    peer.reportedAlive = alive;
    for (const handler of this.changeHandlers) this.guard('onPeerChange', () => handler(peer.node.name, alive));
  }

  private emit(handlers: PeerHandler[], peer: string): void {
    for (const handler of handlers) this.guard('onPeerLost', () => handler(peer));
  }

  /** A throwing handler is the election driver's bug; it must not take a connection down with it. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.options.logger.error(`Transport ${what} handler threw: ${errorText(error)}`, error instanceof Error ? error.stack : undefined);
    }
  }
}
