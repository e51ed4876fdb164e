// Longer than our ~250-line guide on purpose: one state machine per peer (dial, handshake,
// establish, replace, end, probe, re-dial with backoff, idle sweep) whose transitions read best
// side by side. What could stand alone has been moved out: peer-state.ts (the record and the
// duplicate-name warning), link-ends.ts (counting ends), keep-alive.ts, handshake-slots.ts.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { NodeUnavailableError, ShuttingDownError } from '../errors.js';
import { redialDelayMs } from './backoff.js';
import { keepAliveMs, PING_FRAME } from './keep-alive.js';
import { LinkEnds } from './link-ends.js';
import { Handshake, type HandshakeRole } from './handshake.js';
import { HandshakeSlots } from './handshake-slots.js';
import { PeerLink, type LinkEnd } from './peer-link.js';
import { PeerLookups } from './peer-lookups.js';
import { newPeer, nobodyListens, PROBE_DIALS, warnDuplicate, type Peer } from './peer-state.js';
import { clusterIdentity, NONCE_BYTES, type SessionMessage } from './protocol.js';
import { certificateNames, dial, remoteAddressOf, type SocketOptions } from './sockets.js';
import type { ConnectionOptions, ConnectionStats, PeerStats } from './transport-types.js';
import type { ViolationLog } from './violation-log.js';

const DEFAULT_MAX_PENDING_HANDSHAKES = 128;

export interface PeerConnectionsEvents {
  /** A session message from an established link (never a handshake message). */
  message(link: PeerLink, message: SessionMessage): void;
  /** DESIGN §4: a connection to `peer` ended and an immediate re-dial was refused. */
  lost(peer: string): void;
  change(peer: string, alive: boolean): void;
}

/**
 * Which peers this node is connected to, and keeping it so: one outbound link per peer, dialled
 * and re-dialled with capped exponential backoff and full jitter; inbound links as the listener
 * hands them over; keep-alive pings on idle links and the idle deadline on silent ones.
 *
 * One link per pair (issue #15): both nodes dial, so that either can reach the other first, but
 * the pair settles on the link dialled by the node whose name sorts first, its *pair link*. Both
 * ends send everything over it; the other, once the pair link is up, is *spare*: never pinged,
 * never used, and retired by its dialler as soon as nothing is in flight on it, which does not
 * re-dial while the pair link lives. Two links kept alive per pair were most of an idle node's
 * wake-ups: a heartbeat went out on one and its answer came back on the other, each pinged.
 *
 * A second inbound link from a node that already has one *replaces* the first: that is what a
 * restarted peer, or one whose side of a half-open connection died, looks like, and refusing it
 * would lock the peer out until the idle deadline. The newcomer passed the same handshake.
 */
export class PeerConnections {
  private readonly peers = new Map<string, Peer>();
  /** Every socket this node holds, accepted or dialled, handshaken or not: close() ends them all. */
  private readonly sockets = new Set<Socket>();
  private readonly links = new Set<PeerLink>();
  private readonly clusterId: string;
  private readonly socketOptions: SocketOptions;
  private readonly random: () => number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private state: 'new' | 'running' | 'closed' = 'new';
  private readonly ends: LinkEnds;
  private readonly lookups: PeerLookups;
  /** Inbound connections still in their handshake (handshake-slots.ts). */
  private readonly handshakeSlots: HandshakeSlots;
  /** secret-key.ts: what the handshake proves and the frame keys derive from. */
  private secretKey: Uint8Array | undefined;
  /** Pings received on a spare inbound link, by link (see pinged()). */
  private readonly sparePings = new WeakMap<PeerLink, number>();
  /** Requests cut off by a link that died (not by shutdown). */
  requestsCutOff = 0;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly violations: ViolationLog,
    private readonly events: PeerConnectionsEvents,
  ) {
    this.clusterId = clusterIdentity(options.nodes);
    this.ends = new LinkEnds(violations, options.logger, options.self.name, options.clock);
    this.lookups = new PeerLookups({ ...options, selfName: options.self.name });
    this.socketOptions = { tls: options.tls, handshakeTimeoutMs: options.handshakeTimeoutMs };
    this.random = options.random ?? Math.random;
    const limit = options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES;
    this.handshakeSlots = new HandshakeSlots(limit, (socket, remote) => {
      this.violations.record('too-many-handshakes', `${limit} connections were in their handshake; closed the oldest of the busiest address`, remote);
      socket.destroy();
    });
    for (const node of options.nodes) {
      if (node.name === options.self.name) continue;
      this.peers.set(node.name, newPeer(node));
    }
  }

  get peerNames(): string[] {
    return [...this.peers.keys()];
  }

  /** The cluster identity (protocol.ts) both sides of every connection must share. */
  get clusterIdentity(): string {
    return this.clusterId;
  }

  /** Dials every peer and starts the keep-alive sweep; `secretKey` is the stretched secret. */
  start(secretKey: Uint8Array | undefined): void {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.secretKey = secretKey;
    for (const peer of this.peers.values()) this.dial(peer);
    this.sweepTimer = setInterval(() => this.sweep(), keepAliveMs(this.options) / 2);
  }

  /** Ends every link and socket and clears every timer; resolves when every socket has closed. */
  async close(): Promise<void> {
    this.state = 'closed';
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    for (const peer of this.peers.values()) clearTimeout(peer.redialTimer);
    for (const link of [...this.links]) link.destroy({ kind: 'shutdown' });
    await Promise.all(
      [...this.sockets].map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.closed) return resolve();
            socket.once('close', () => resolve());
            socket.destroy();
          }),
      ),
    );
  }

  /**
   * Every socket the listener accepts, raw, as soon as it exists (before any TLS handshake): it
   * takes a handshake slot from this moment, so TLS sockets that never start TLS count too.
   */
  trackAccepted(socket: Socket): void {
    this.track(socket);
    const remote = remoteAddressOf(socket);
    socket.once('close', () => this.handshakeSlots.release(remote));
    this.handshakeSlots.admit(socket, remote, socket.remoteAddress ?? '?');
  }

  /** Every socket this node holds, accepted or dialled: close() must be able to destroy it. */
  private track(socket: Socket): void {
    // Errors are the link's (or the TLS layer's) to handle; this listener only keeps an error on
    // a raw socket from ever being an uncaught 'error' event.
    socket.on('error', () => undefined);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** A socket ready for the node handshake. */
  accept(socket: Socket): void {
    if (this.state !== 'running') return void socket.destroy();
    this.ends.counts.accepted++;
    this.openLink(socket, 'acceptor', undefined, remoteAddressOf(socket));
  }

  /** The link to send to `name` over: the pair link when it is up, else the other. */
  linkTo(name: string): PeerLink | undefined {
    const peer = this.peers.get(name);
    if (!peer || this.state !== 'running') return undefined;
    return this.pairLink(peer) ?? (isUp(peer.outbound) ? peer.outbound : isUp(peer.inbound) ? peer.inbound : undefined);
  }

  /** The link dialled by whichever of the two names sorts first, when its handshake is done. */
  private pairLink(peer: Peer): PeerLink | undefined {
    const link = this.options.self.name < peer.node.name ? peer.outbound : peer.inbound;
    return isUp(link) ? link : undefined;
  }

  /** The pair's other link, when the pair link is up too: it carries nothing new and is retired. */
  private spareLink(peer: Peer): PeerLink | undefined {
    if (!this.pairLink(peer)) return undefined;
    const link = this.options.self.name < peer.node.name ? peer.inbound : peer.outbound;
    return isUp(link) ? link : undefined;
  }

  /**
   * A ping on a link: a node never pings its spare link, so pings on the spare link a peer dialled
   * mean a second process runs under its name (issue #9), which it does not know of because ours
   * reaches the other one. One ping may have left before the peer saw the pair link up; at the
   * second, the link goes, and its dialler backs off and says so as it does for any duplicate.
   */
  pinged(link: PeerLink): void {
    const peer = link.peer !== undefined ? this.peers.get(link.peer) : undefined;
    if (!peer || link.direction !== 'inbound' || this.spareLink(peer) !== link) return;
    const pings = (this.sparePings.get(link) ?? 0) + 1;
    this.sparePings.set(link, pings);
    if (pings < 2) return;
    warnDuplicate(peer, this.options, `it kept pinging a second connection, from ${link.remote}, while connected through ours`);
    link.destroy({ kind: 'replaced' });
  }

  /** Connected (handshake done) and heard from within the election timeout. */
  isAlive(name: string): boolean {
    const peer = this.peers.get(name);
    if (!peer || this.state !== 'running') return false;
    const now = this.options.clock.now();
    const fresh = (link: PeerLink | undefined) =>
      link?.peer !== undefined && !link.ended && now - link.lastHeard <= this.options.electionTimeoutMs;
    return fresh(peer.outbound) || fresh(peer.inbound);
  }

  stats(): { connections: ConnectionStats; peers: Record<string, PeerStats> } {
    const peers: Record<string, PeerStats> = {};
    for (const [name, p] of this.peers) {
      peers[name] = { alive: this.isAlive(name), outbound: p.outbound?.peer !== undefined, inbound: p.inbound !== undefined };
    }
    return { connections: { ...this.ends.snapshot(), lookupFailures: this.lookups.failures }, peers };
  }

  private dial(peer: Peer): void {
    peer.redialTimer = undefined;
    // The peer's link is the pair link: ours would only be retired (afterInboundEnded dials again).
    if (this.state !== 'running' || peer.outbound || this.pairLink(peer)?.direction === 'inbound') return;
    this.ends.counts.dialled++;
    const address = this.options.dialAddress?.(peer.node) ?? { host: peer.node.ip, port: peer.node.port };
    // Issue #14: a name is looked up again at every dial; the socket's end forgets a pending lookup.
    const lookupEnd = new AbortController();
    const socket = dial(address, this.socketOptions, this.lookups.forDial(peer.node.name, address.host, lookupEnd.signal));
    socket.once('close', () => lookupEnd.abort());
    this.track(socket);
    peer.outbound = this.openLink(socket, 'dialer', peer.node.name, `${address.host}:${address.port}`);
  }

  private openLink(socket: Socket, role: HandshakeRole, expectedPeer: string | undefined, remote: string): PeerLink {
    const { self, maxFrameBytes, handshakeTimeoutMs, clock } = this.options;
    const handshake = new Handshake({
      role, selfName: self.name, clusterId: this.clusterId, peers: new Set(this.peers.keys()),
      expectedPeer, secret: this.secretKey, nonce: randomBytes(NONCE_BYTES),
      certifiedNames: this.options.tls ? () => certificateNames(socket) : undefined,
    });
    const direction = role === 'dialer' ? 'outbound' : 'inbound';
    const link = new PeerLink(socket, direction, remote, handshake, { maxFrameBytes, handshakeTimeoutMs, clock }, {
      established: (l) => this.onEstablished(l),
      message: (l, m) => this.events.message(l, m),
      ended: (l, end) => this.onEnded(l, end),
    });
    this.links.add(link);
    return link;
  }

  private onEstablished(link: PeerLink): void {
    const peer = this.peers.get(link.peer!)!;
    this.ends.counts.established++;
    if (link.direction === 'inbound') this.handshakeSlots.release(link.remote);
    if (link.direction === 'outbound') {
      peer.failedDials = 0;
      peer.probesLeft = 0;
    } else {
      const previous = peer.inbound;
      peer.inbound = link;
      if (previous && this.diedYoung(previous)) {
        warnDuplicate(peer, this.options, `it connected from ${link.remote} while its connection from ${previous.remote} was under ${this.options.electionTimeoutMs} ms old`);
      }
      previous?.destroy({ kind: 'replaced' });
    }
    this.reportAliveness(peer);
  }

  private onEnded(link: PeerLink, end: LinkEnd): void {
    this.links.delete(link);
    this.settleLinkRequests(link);
    this.ends.record(link, end);
    const peer = link.direction === 'outbound'
      ? [...this.peers.values()].find((p) => p.outbound === link)
      : link.peer !== undefined ? this.peers.get(link.peer) : undefined;
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

  /** No request is left hanging on a dead link, on either side of it. */
  private settleLinkRequests(link: PeerLink): void {
    const closing = this.state === 'closed';
    const error = () => closing ? new ShuttingDownError() : new NodeUnavailableError(link.peer ?? '?', 'its connection closed');
    if (!closing) this.requestsCutOff += link.requests.size;
    link.requests.failAll(error);
    link.cancelServing(error);
  }

  private afterOutboundEnded(peer: Peer, link: PeerLink, end: LinkEnd): void {
    if (this.state !== 'running' || end.kind === 'retired') return;
    if (link.peer !== undefined) return this.afterEstablishedOutboundEnded(peer, link);
    this.ends.counts.dialFailures++;
    if (peer.probesLeft > 0) {
      peer.probesLeft--;
      if (nobodyListens(link, end)) {
        peer.probesLeft = 0;
        this.events.lost(peer.node.name);
      } else if (peer.probesLeft > 0 && end.kind === 'closed') {
        // Closed mid-handshake, say by a process in its last moments: ask once more, now.
        return this.dial(peer);
      }
    }
    this.redialLater(peer, peer.failedDials++);
  }

  /**
   * Issue #9: a link that dies right after its handshake counts as a failed dial and backs off.
   * Two processes running as one node replace each other's link at the peer, and re-dialling at
   * once made that thousands of times a second. A link that lived is probed at once, as before.
   */
  private afterEstablishedOutboundEnded(peer: Peer, link: PeerLink): void {
    if (!this.diedYoung(link)) {
      peer.youngDeaths = 0;
      return this.probe(peer);
    }
    this.ends.counts.dialFailures++;
    // The backed-off dial still asks whether the peer is gone.
    peer.probesLeft = PROBE_DIALS;
    if (++peer.youngDeaths === 3) {
      warnDuplicate(peer, this.options, `it closed our connection right after the handshake ${peer.youngDeaths} times in a row; another process may be running as "${this.options.self.name}"`);
    }
    this.redialLater(peer, peer.youngDeaths - 1);
  }

  private redialLater(peer: Peer, attempt: number): void {
    const delay = redialDelayMs(
      attempt,
      this.options.redialBaseMs ?? 50,
      this.options.redialMaxMs ?? this.options.electionTimeoutMs,
      this.random,
    );
    peer.redialTimer = setTimeout(() => this.dial(peer), delay);
  }

  /** Ended, or replaced, within an election timeout of its handshake. */
  private diedYoung(link: PeerLink): boolean {
    return link.establishedAt !== undefined && this.options.clock.now() - link.establishedAt < this.options.electionTimeoutMs;
  }

  /**
   * The peer's own connection to us ended. Unless ours to it is up (its end will speak for
   * itself), probe now rather than at the next backoff tick, so that a crash is noticed as fast
   * when this node only had the peer's connection.
   */
  private afterInboundEnded(peer: Peer, end: LinkEnd): void {
    if (this.state !== 'running' || end.kind === 'replaced' || peer.outbound?.peer !== undefined) return;
    this.probe(peer);
  }

  /**
   * DESIGN §4: a connection to the peer ended; re-dial at once and let the answer say whether
   * anything still listens there. A dial already under way counts as the first probe.
   */
  private probe(peer: Peer): void {
    peer.probesLeft = PROBE_DIALS;
    if (peer.outbound) return;
    clearTimeout(peer.redialTimer);
    this.dial(peer);
  }

  /**
   * Every half keep-alive period (T/6 by default): drop links silent for longer than the election
   * timeout, and ping links that sent nothing for one keep-alive period (keepAliveMs), so a healthy
   * idle link is never silent for more than 1.5 keep-alive periods (T/2), inside the deadline.
   * Issue #15: every heartbeat interval, this timer was a third of an idle follower's wake-ups.
   * (Sweeping in the wake-ups frames cause instead saves nothing: a fallback timer whose deadline
   * moves still wakes the process at each deadline it had, as Node's timers do.)
   */
  private sweep(): void {
    const now = this.options.clock.now();
    const { electionTimeoutMs } = this.options;
    const keepAlive = keepAliveMs(this.options);
    for (const link of [...this.links]) {
      if (link.peer === undefined) continue;
      const peer = this.peers.get(link.peer);
      if (peer && this.spareLink(peer) === link) this.retireIfDrained(link, now);
      else if (now - link.lastHeard > electionTimeoutMs) link.destroy({ kind: 'idle' });
      else if (now - link.lastSent >= keepAlive) link.sendFrame(PING_FRAME);
    }
    for (const peer of this.peers.values()) this.reportAliveness(peer);
  }

  /**
   * A spare link is retired by the node that dialled it, once no request either way is in flight
   * on it and neither end has written to it for a heartbeat interval (the peer may have sent a
   * last message on it before its own end of the pair link was up, and a destroyed socket drops
   * what it has not written yet). The peer sees it close and, its pair link being up, does nothing.
   */
  private retireIfDrained(link: PeerLink, now: number): void {
    if (link.direction !== 'outbound' || link.requests.size > 0 || link.serving.size > 0) return;
    const quiet = now - Math.max(link.lastHeard, link.lastSent);
    if (quiet >= this.options.heartbeatIntervalMs) link.destroy({ kind: 'retired' });
  }

  private reportAliveness(peer: Peer): void {
    const alive = this.isAlive(peer.node.name);
    if (alive === peer.reportedAlive) return;
    peer.reportedAlive = alive;
    this.events.change(peer.node.name, alive);
  }
}

function isUp(link: PeerLink | undefined): link is PeerLink {
  return link !== undefined && link.peer !== undefined && !link.ended;
}
