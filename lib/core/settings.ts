import type { SecureContextOptions } from 'node:tls';
import type { ClusterRedisClient, ClusterRedisConnectionOptions } from './redis-client.js';
import type { LeaseStore } from './election/lease/lease-store.js';
import type { KubeConfigLike } from './election/lease/stores/kubernetes/lease-api.js';
import type { MysqlPoolLike } from './election/lease/stores/mysql/mysql-types.js';
import type { PgPoolLike } from './election/lease/stores/postgres/pg-types.js';
import type { ClusterLogger } from './logger.js';
import type { NodeConfig } from './node.js';
import type { Timing } from './timing.js';

export type ClusterMode = 'cluster' | 'single' | 'redis' | 'lease' | 'postgres' | 'mysql' | 'kubernetes';

export interface RedisLeaseSettings {
  readonly dataPath: string;
  readonly electionInterval: number;
  readonly electionPeriod: number;
  readonly syncLeaderInterval: number;
}

/** The lease of the postgres, mysql, kubernetes and lease modes (DESIGN §3 `lease`). */
export interface LeaseSettings {
  /** The lease's key (the row's name), like redisDiscovery.dataPath. */
  readonly name: string;
  readonly electionInterval: number;
  readonly electionPeriod: number;
  readonly syncLeaderInterval: number;
  /** Mode `lease`: the application's own store. */
  readonly store: LeaseStore | undefined;
}

/** Where postgres mode gets its pool: given (left open), or made from a connection string (closed by us). */
export interface PostgresSettings {
  readonly pool: PgPoolLike | undefined;
  readonly connectionString: string | undefined;
  /** Validated identifiers of the lease table. */
  readonly schema: string;
  readonly table: string;
  /** LISTEN for notices on a dedicated connection; off behind PgBouncer in transaction mode. */
  readonly listen: boolean;
}

/** Where mysql mode gets its pool: given (left open), or made from a URI (closed by us). */
export interface MysqlSettings {
  readonly pool: MysqlPoolLike | undefined;
  readonly uri: string | undefined;
  readonly table: string;
}

/** Where kubernetes mode finds the API server and its Lease (issue #14). */
export interface KubernetesSettings {
  /** Default: the pod's own namespace (in-cluster), else the kubeconfig context's, else `default`. */
  readonly namespace: string | undefined;
  /** The Lease's name: `kubernetes.leaseName`, else `lease.name`. */
  readonly leaseName: string;
  /** A kubeconfig file's path or a KubeConfig; undefined: the in-cluster config. */
  readonly kubeConfig: string | KubeConfigLike | undefined;
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
  readonly lease: LeaseSettings;
  /** Postgres mode's pool, unless it comes from `postgres.inject` (resolved by the Nest module). */
  readonly postgres: PostgresSettings | undefined;
  /** Mysql mode's pool, unless it comes from `mysql.inject` (resolved by the Nest module). */
  readonly mysql: MysqlSettings | undefined;
  /** Kubernetes mode's API server and namespace. */
  readonly kubernetes: KubernetesSettings | undefined;
  /** How long close() waits for job callbacks and leader jobs to finish. */
  readonly shutdownTimeoutMs: number;
  readonly logger: ClusterLogger;
}
