import type { Clock } from './clock.js';
import type { ElectionEngine, ElectionHost, ElectionView } from './election/election-engine.js';
import type { ElectionTransport } from './election/raft/raft-engine.js';
import type { Phase } from './events.js';
import type { ClusterSettings } from './settings.js';
import type { RequestTransport, TransportStats } from './transport/transport-types.js';

/** The node-to-node transport as the cluster owns it: started before the engine, closed after. */
export interface ClusterTransport extends ElectionTransport, RequestTransport {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Connected and heard from recently (DESIGN §4: alive nodes come from the transport). */
  isAlive(peer: string): boolean;
  stats(): TransportStats;
}

/** Everything mode-specific a cluster is built from; the cluster owns them as siblings. */
export interface ClusterParts {
  readonly clock: Clock;
  /** The transport, in modes whose nodes have addresses; remote calls (rpc/) ride on it. */
  readonly transport?: ClusterTransport;
  /** Builds the election engine; it reports through `host` (Raft also talks over `transport`). */
  createEngine(host: ElectionHost, transport: ClusterTransport | undefined): ElectionEngine;
}

export interface ClusterStats {
  readonly nodeName: string;
  readonly mode: ClusterSettings['mode'];
  readonly phase: Phase;
  readonly role: ElectionView['role'];
  readonly term: number;
  readonly leaderName: string | undefined;
  readonly isLeader: boolean;
  readonly elections: number;
  readonly leaderships: number;
  readonly trackers: string[];
  readonly functions: string[];
  readonly callsMade: number;
  readonly callsServed: number;
  readonly callsFailed: number;
  /** Connections, rejected peers by reason, calls and messages (cluster mode, redis with nodes). */
  readonly transport: TransportStats | undefined;
}
