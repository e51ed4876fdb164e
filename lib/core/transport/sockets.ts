import { createServer as createTcpServer, connect as connectTcp, type LookupFunction, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as connectTls, TLSSocket, type SecureContextOptions } from 'node:tls';
import { ClusterConfigError } from '../errors.js';

/**
 * Plain TCP, or mutual TLS: each side presents a certificate and accepts only one signed by the
 * configured `ca`. Host names are not checked (nodes are usually dialled by IP); the trust anchor
 * is the cluster's own CA, and the node handshake then checks that the certificate names the node
 * that speaks (certificateNames).
 */
export interface SocketOptions {
  readonly tls: SecureContextOptions | undefined;
  readonly handshakeTimeoutMs: number;
}

export interface ListenerEvents {
  /** A connection ready for the node handshake (after the TLS handshake, with TLS). */
  onSocket(socket: Socket): void;
  /** Every accepted socket, raw, as soon as it exists: close() must be able to destroy it. */
  onRawSocket(socket: Socket): void;
  /** A TLS client that failed the TLS handshake (no certificate, wrong CA, timeout). */
  onTlsRefused(error: Error, socket: Socket): void;
}

export function createListener(options: SocketOptions, events: ListenerEvents): Server {
  const server = options.tls
    ? createTlsServer(
        {
          ...options.tls,
          requestCert: true,
          rejectUnauthorized: true,
          handshakeTimeout: options.handshakeTimeoutMs,
        },
        (socket: TLSSocket) => events.onSocket(socket),
      ).on('tlsClientError', (error, socket) => events.onTlsRefused(error, socket))
    : createTcpServer((socket) => events.onSocket(socket));
  // The raw 'connection' comes before the TLS handshake, so half-open TLS sockets are tracked too.
  server.on('connection', (socket: Socket) => events.onRawSocket(socket));
  return server;
}

/** `address:port` of the far end, for logs; take it while the socket is open. */
export function remoteAddressOf(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

/** `lookup` resolves `address.host` when it is a name (host-lookup.ts); an IP is dialled as it is. */
export function dial(address: { host: string; port: number }, options: SocketOptions, lookup?: LookupFunction): Socket {
  if (!options.tls) return connectTcp({ host: address.host, port: address.port, lookup });
  return connectTls({
    ...options.tls,
    host: address.host,
    port: address.port,
    lookup,
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  });
}

/**
 * Mutual TLS needs this node's own certificate and the cluster's CA. Without `ca` Node would trust
 * every public CA, and any certificate a stranger can buy would pass for a node.
 */
export function assertMutualTlsOptions(tls: SecureContextOptions | undefined): void {
  if (tls === undefined) return;
  const missing = [
    // Issue #10 finding 8: '' or null would pass a presence check and still mean "public roots".
    !isNonEmptyCa(tls.ca) && 'ca (the CA that signed every node certificate, non-empty)',
    tls.pfx === undefined && (tls.key === undefined || tls.cert === undefined) && 'key and cert (or pfx) of this node',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ClusterConfigError(`\`tls\` is missing ${missing.join(' and ')}; mutual TLS between nodes needs all of them.`);
  }
}

function isNonEmptyCa(ca: SecureContextOptions['ca']): boolean {
  const one = (entry: unknown) => (typeof entry === 'string' || entry instanceof Uint8Array) && entry.length > 0;
  return Array.isArray(ca) ? ca.length > 0 && ca.every(one) : one(ca);
}

/**
 * The node names a TLS peer's certificate vouches for: its SAN DNS and URI entries and its subject
 * CN (issue #10 finding 5: a node's certificate must name it). Undefined on a plain TCP socket.
 */
export function certificateNames(socket: Socket): ReadonlySet<string> | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const certificate = socket.getPeerCertificate();
  const names = new Set<string>();
  for (const entry of (certificate.subjectaltname ?? '').split(', ')) {
    const match = /^(DNS|URI):(.+)$/.exec(entry);
    if (match) names.add(match[2]!);
  }
  const cn = certificate.subject?.CN;
  for (const name of Array.isArray(cn) ? cn : cn ? [cn] : []) names.add(name);
  return names;
}
