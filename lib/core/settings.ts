import type { SecureContextOptions } from 'node:tls';
import type { ClusterRedisClient, ClusterRedisConnectionOptions } from './redis-client.js';
import type { ClusterLogger } from './logger.js';
import type { NodeConfig } from './node.js';
import type { Timing } from './timing.js';

export type ClusterMode = 'cluster' | 'single' | 'redis';

export interface RedisLeaseSettings {
  readonly dataPath: string;
  readonly electionInterval: number;
  readonly electionPeriod: number;
  readonly syncLeaderInterval: number;
}

/** Where redis mode gets its client: given (left open), or made from options/url (closed by us). */
export interface RedisClientSettings {
  readonly client: ClusterRedisClient | undefined;
  readonly options: ClusterRedisConnectionOptions | undefined;
  readonly url: string | undefined;
}

/**
 * The validated, fully defaulted configuration the core runs on. Options are turned into this by
 * `resolveClusterOptions` (lib/config); nothing in core re-validates or re-defaults. The Raft
 * node's config is derived from it (raft/config.ts raftConfigFrom).
 */
export interface ClusterSettings extends Timing {
  readonly mode: ClusterMode;
  readonly enabled: boolean;
  readonly self: NodeConfig;
  /** Every configured node, this one included. */
  readonly nodes: readonly NodeConfig[];
  /**
   * The nodes have addresses and talk over TCP (remote calls; the election in cluster mode): always
   * in cluster mode, in redis mode when `nodes` is given, never in single mode.
   */
  readonly connected: boolean;
  readonly secret: string | undefined;
  readonly tls: SecureContextOptions | undefined;
  readonly insecure: boolean;
  readonly dataDir: string | undefined;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly redisDiscovery: RedisLeaseSettings;
  /** Redis mode's client, unless it comes from `redisDiscovery.inject` (resolved by the Nest module). */
  readonly redis: RedisClientSettings | undefined;
  /** How long close() waits for job callbacks and leader jobs to finish. */
  readonly shutdownTimeoutMs: number;
  readonly logger: ClusterLogger;
}
