import type { SecureContextOptions } from 'node:tls';
import type { Clock } from '../clock.js';
import type { ViolationReason } from '../errors.js';
import type { ClusterLogger } from '../logger.js';
import type { NodeConfig } from '../node.js';
import type { HostLookup } from './host-lookup.js';
import type { ServedRequest } from './served-request.js';

/** How connections are made and kept; a `ClusterSettings` supplies every field it names. */
export interface ConnectionOptions {
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
  readonly clock: Clock;
  readonly logger: ClusterLogger;
  /** [0, 1) source for re-dial jitter; `Math.random` unless a test pins it. */
  readonly random?: () => number;
  /** First re-dial ceiling; doubles per failed dial up to `redialMaxMs`. Default 50 ms. */
  readonly redialBaseMs?: number;
  /** Re-dial ceiling. Default: the election timeout, so a returning peer is back within one. */
  readonly redialMaxMs?: number;
  /** Inbound connections allowed in their handshake at once; more are closed at once. Default 128. */
  readonly maxPendingHandshakes?: number;
  /**
   * Where to dial a peer; its configured address unless given. A test seam: partition tests dial
   * through a fault-injecting proxy while every node keeps the same configured node list.
   */
  readonly dialAddress?: (peer: NodeConfig) => { readonly host: string; readonly port: number };
  /** Resolves a peer's host name at each dial (issue #14); `dns.promises.lookup` unless given. */
  readonly lookup?: HostLookup | undefined;
}

/** What a Transport needs: `{ ...settings, clock }` from a `ClusterSettings` will do. */
export interface TransportOptions extends ConnectionOptions {
  /** Allow a non-loopback listener with neither `secret` nor `tls` (protected mode off). */
  readonly insecure?: boolean;
}

export interface RequestOptions<T> {
  /** The receiver's deadline too: its signal aborts when this passes. At most 2^31−1 ms. */
  readonly timeoutMs: number;
  /**
   * Reads the response body: what it returns is the request's result. A ProtocolError thrown here
   * drops the link as the peer's violation; the request then fails with NodeUnavailableError.
   */
  readonly parse: (body: unknown) => T;
  /** Names the request in errors: `Call of "echo"` gives `Call of "echo" on node "b" timed out…`. */
  readonly what: string;
}

/** Request/response between nodes, as the layer above the transport (rpc/) uses it. */
export interface RequestTransport {
  /** Every configured node but this one. */
  readonly peerNames: readonly string[];
  request<T>(peer: string, body: unknown, options: RequestOptions<T>): Promise<T>;
  /** Serves requests from peers; a ProtocolError from the handler drops the link as a violation. */
  onRequest(handler: (request: ServedRequest) => void): void;
}

export interface PeerStats {
  /** Connected (handshake done) and heard from within the election timeout. */
  readonly alive: boolean;
  /** The connection this node dialled is up. */
  readonly outbound: boolean;
  /** The connection the peer dialled is up. */
  readonly inbound: boolean;
}

export interface ConnectionStats {
  readonly accepted: number;
  readonly dialled: number;
  /** Dials that ended before their handshake completed (refused, reset, timed out, rejected, unresolved). */
  readonly dialFailures: number;
  /** Dials whose host name did not resolve to a usable address (failed, late or bogus answers). */
  readonly lookupFailures: number;
  readonly established: number;
  /** Established links dropped for silence longer than the election timeout. */
  readonly idleDropped: number;
  /** Links dropped because the peer stopped reading and too much was queued for it. */
  readonly stalledDropped: number;
  /** Inbound links replaced by a newer one from the same node. */
  readonly replaced: number;
  /** Spare links this node dialled and closed: the peer's link carries the pair's traffic. */
  readonly retired: number;
  /** Established links closed by the network or the peer. */
  readonly closed: number;
  /** Handshakes the peer refused, saying why (a secret, version, node list or name that differs). */
  readonly refused: number;
}

export interface TransportStats {
  /** Connections dropped for breaking the protocol, by reason. */
  readonly violations: Partial<Record<ViolationReason, number>>;
  readonly connections: ConnectionStats;
  /** Requests: remote calls, made (`sent`) and served. */
  readonly calls: {
    readonly sent: number;
    readonly served: number;
    readonly timedOut: number;
    /** Failed fast (not connected) or cut off by a connection that died. */
    readonly unavailable: number;
    /** Results that arrived after their call timed out. */
    readonly lateResults: number;
  };
  /** Election messages. */
  readonly messages: { readonly sent: number; readonly received: number };
  readonly peers: Readonly<Record<string, PeerStats>>;
}
