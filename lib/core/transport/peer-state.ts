import type { NodeConfig } from '../node.js';
import type { LinkEnd, PeerLink } from './peer-link.js';
import type { ConnectionOptions } from './transport-types.js';

/** What PeerConnections keeps per configured peer: its links, its dial state, its reports. */
/** Immediate dials that decide whether a peer whose connection ended is gone. */
export const PROBE_DIALS = 2;

/**
 * What a dial to a crashed process ends in: refused, or, when it raced the kernel tearing down
 * the dead listener (the connection sat in its backlog), reset before the peer said a word. A live
 * peer that turns a connection away answers first or closes it cleanly; it does not reset it.
 */
export function nobodyListens(link: PeerLink, end: LinkEnd): boolean {
  if (end.kind !== 'closed') return false;
  const code = end.error?.code;
  return code === 'ECONNREFUSED' || (code === 'ECONNRESET' && !link.heardAnything);
}

export interface Peer {
  readonly node: NodeConfig;
  /** The connection this node dialled, from the dial until it ends. */
  outbound: PeerLink | undefined;
  /** The connection the peer dialled, once its handshake is done. */
  inbound: PeerLink | undefined;
  redialTimer: NodeJS.Timeout | undefined;
  /** Failed dials since the last established outbound link. */
  failedDials: number;
  /** Outbound links in a row that ended within an election timeout of their handshake. */
  youngDeaths: number;
  /**
   * Dials left that ask "is it dead?" after a connection to the peer ended: while above zero, a
   * refused dial fires `lost`, and an inconclusive one is retried at once instead of backing off.
   */
  probesLeft: number;
  /** Last alive state reported through `change`. */
  reportedAlive: boolean;
  /** When a warning about two processes with one name was last logged for this peer (clock ms). */
  duplicateWarnedAt: number | undefined;
}

/** At most one duplicate-name warning per peer this often. */
const DUPLICATE_WARNING_EVERY_MS = 10_000;

export function newPeer(node: NodeConfig): Peer {
  return {
    node, outbound: undefined, inbound: undefined, redialTimer: undefined,
    failedDials: 0, youngDeaths: 0, probesLeft: 0, reportedAlive: false, duplicateWarnedAt: undefined,
  };
}

/** Two processes running as one node replace each other's links; say so, at most every 10 s per peer. */
export function warnDuplicate(peer: Peer, options: Pick<ConnectionOptions, 'clock' | 'logger' | 'self'>, what: string): void {
  const now = options.clock.now();
  if (peer.duplicateWarnedAt !== undefined && now - peer.duplicateWarnedAt < DUPLICATE_WARNING_EVERY_MS) return;
  peer.duplicateWarnedAt = now;
  options.logger.warn(
    `Node "${peer.node.name}": ${what}. Two processes may be running with the same node name; ` +
      'give every process its own `nodeName` (or CLUSTER_NODE_NAME).',
  );
}
