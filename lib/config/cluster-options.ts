import type { ClusterLogger } from '../core/logger.js';

/** A Nest injection token (Nest's InjectionToken, spelled here so lib/config needs no Nest import). */
export type RedisInjectionToken = string | symbol | Function;
import type { SecureContextOptions } from 'node:tls';
import type { ClusterRedisClient, ClusterRedisConnectionOptions } from '../core/redis-client.js';
import type { LeaseStore } from '../core/election/lease/lease-store.js';
import type { KubeConfigLike } from '../core/election/lease/stores/kubernetes/lease-api.js';
import type { MysqlPoolLike } from '../core/election/lease/stores/mysql/mysql-types.js';
import type { PgPoolLike } from '../core/election/lease/stores/postgres/pg-types.js';
import type { ClusterMode } from '../core/settings.js';

/** A member of the cluster (the seed's `Nodes` entry). */
export interface ClusterNodeOptions {
  /** Unique name; other nodes and `callFunc` address this node by it. */
  name: string;
  /**
   * Where other nodes reach this one: a DNS name (resolved again at every dial, so a pod that comes
   * back under a new IP is found) or an IP. Give `host` or `ip`, not both with different values.
   */
  host?: string;
  /** The seed's spelling of `host`; still accepted. The cluster reports the address as `ip`. */
  ip?: string;
  port: number;
  /**
   * The IP this node listens on, when it differs from `host`. Default: `0.0.0.0` (every IPv4
   * interface: a pod's DNS name points at an address the pod cannot name in advance) when `host`
   * is a name, the IP itself when `host` is an IP. Only the entry of this process uses it.
   */
  bindHost?: string;
  /** Marks this process's entry (the seed's `Local`), when nothing else identifies it. */
  local?: boolean;
}

/** Where redis mode gets its client. */
export interface ClusterRedisOptions {
  /** An ioredis `Redis` (single, Sentinel) or `Cluster` client; left open on shutdown. */
  client?: ClusterRedisClient;
  /** Options for a client this module creates (and closes on shutdown). */
  options?: ClusterRedisConnectionOptions;
  /** `redis://` URL for a client this module creates (and closes on shutdown). */
  url?: string;
}

/**
 * A number, or a decimal numeric string such as `"3"` (values read from the environment or
 * ConfigService arrive as strings); anything else is rejected at boot.
 */
export type NumericOption = number | string;

/** The seed's RedisDiscovery, in milliseconds. */
export interface RedisDiscoveryOptions {
  /** Nest token of an existing ioredis provider to use (the seed's BeanName). */
  inject?: RedisInjectionToken;
  /** Key prefix; clusters with different paths share a Redis without meeting. */
  dataPath?: string;
  /** How often the leader renews and followers try to acquire, ms. Default 15000. */
  electionInterval?: NumericOption;
  /** Lease length, ms; must exceed electionInterval. Default 30000. */
  electionPeriod?: NumericOption;
  /** How often followers re-read the leader, ms (pub/sub tells them at once). Default 10000. */
  syncLeaderInterval?: NumericOption;
}

/**
 * The lease of the `postgres`, `mysql`, `kubernetes` and `lease` modes. The timings mean what the same names of
 * `redisDiscovery` mean, with the same defaults; `name` plays the part of `dataPath`.
 */
export interface ClusterLeaseOptions {
  /** The lease's key (the row's name, the Lease's name in kubernetes mode); clusters with different names share a store without meeting. Default 'nest-cluster'. */
  name?: string;
  /** How often the leader renews and followers try to acquire, ms. Default 15000. */
  electionInterval?: NumericOption;
  /** Lease length, ms; must exceed electionInterval. Default 30000. */
  electionPeriod?: NumericOption;
  /** How often followers re-read the leader, ms (notices tell them at once where the store has them). Default 10000. */
  syncLeaderInterval?: NumericOption;
  /** Mode `'lease'`: your own store. */
  store?: LeaseStore;
}

/** Where postgres mode gets its pool (pg 8), and where its table lives. */
export interface ClusterPostgresOptions {
  /** A `pg.Pool`; left open on shutdown. */
  pool?: PgPoolLike;
  /** `postgres://` URL for a pool this module creates (and ends on shutdown). */
  connectionString?: string;
  /** Nest token of a `pg.Pool` or TypeORM `DataSource` provider (postgres driver); left open. */
  inject?: RedisInjectionToken;
  /** Schema of the lease table; must exist. Default 'public'. */
  schema?: string;
  /** Lease table, created if missing. Default 'nest_cluster_lease'. */
  table?: string;
  /** LISTEN for release notices on one dedicated connection. Set false behind PgBouncer in transaction mode. Default true. */
  listen?: boolean;
}

/** Where mysql mode gets its pool (mysql2), and its table. */
export interface ClusterMysqlOptions {
  /** A mysql2 promise pool; left open on shutdown. */
  pool?: MysqlPoolLike;
  /** `mysql://` URI for a pool this module creates (and ends on shutdown). */
  uri?: string;
  /** Nest token of a mysql2 pool or TypeORM `DataSource` provider (mysql driver); left open. */
  inject?: RedisInjectionToken;
  /** Lease table, created if missing. Default 'nest_cluster_lease'. */
  table?: string;
}

/**
 * Where kubernetes mode finds the API server and its `coordination.k8s.io/v1` Lease (named by
 * `leaseName`, or `lease.name`). The pod's service account needs get, create and update on leases in the namespace.
 *
 * @example
 * { mode: 'kubernetes', kubernetes: { namespace: 'shop', leaseName: 'orders-leader' } }
 */
export interface ClusterKubernetesOptions {
  /** The Lease's namespace. Default: the pod's own (in-cluster), else the kubeconfig context's, else 'default'. */
  namespace?: string;
  /** The Lease's name (DESIGN §3); `lease.name` says the same. Default 'nest-cluster'. */
  leaseName?: string;
  /** A kubeconfig file's path, or a `KubeConfig` of @kubernetes/client-node. Default: the in-cluster config. */
  kubeConfig?: string | KubeConfigLike;
}

/**
 * Options of `ClusterModule.forRoot()` and `createCluster()`. Seconds where the seed used seconds
 * (`timeout`), milliseconds everywhere else.
 */
export interface ClusterModuleOptions {
  /**
   * `'cluster'` (Raft over TCP), `'redis'`, `'postgres'`, `'mysql'`, `'kubernetes'` (a lease in that store),
   * `'lease'` (a lease in your own `lease.store`) or `'single'`. Default `'cluster'`.
   */
  mode?: ClusterMode;
  /** `false` (or `'false'`) loads the module but starts nothing. Default `true`. */
  enable?: boolean | 'true' | 'false';
  /** Base election timeout T in seconds (the seed's heartbeat timeout). Default 1. */
  timeout?: NumericOption;
  /** T in milliseconds; overrides `timeout`. */
  electionTimeoutMs?: NumericOption;
  /** Leader heartbeat period; default T/10. */
  heartbeatIntervalMs?: NumericOption;
  /** Leader lease L, at most T; default T/2. */
  leaseMs?: NumericOption;
  /** Bound ρ on how far clock rates may differ between nodes; default 0.05. */
  clockDriftBound?: NumericOption;
  /** Margin δ for event-loop stalls taken off every lease; default max(5, T/20) ms. */
  eventLoopMarginMs?: NumericOption;
  /**
   * The cluster's members; required in cluster mode. Also the string
   * `'node1@10.0.0.1:7000,node2@10.0.0.2:7000'` (see `parseNodes`). Not given: env CLUSTER_NODES
   * (cluster and redis modes).
   */
  nodes?: ClusterNodeOptions[] | string;
  /** Which entry of `nodes` is this process; else env CLUSTER_NODE_NAME, `local`, or this host's addresses. */
  nodeName?: string;
  /** Shared secret for the node handshake; else env CLUSTER_SECRET. */
  secret?: string;
  /** Mutual TLS between nodes (key, cert, ca). */
  tls?: SecureContextOptions;
  /** Allow a listener on a non-loopback address with neither `secret` nor `tls`. Default false. */
  insecure?: boolean;
  /** Directory where term and vote are persisted; see README on running without it. */
  dataDir?: string;
  redis?: ClusterRedisOptions;
  redisDiscovery?: RedisDiscoveryOptions;
  lease?: ClusterLeaseOptions;
  postgres?: ClusterPostgresOptions;
  mysql?: ClusterMysqlOptions;
  kubernetes?: ClusterKubernetesOptions;
  /**
   * `false` to silence, or any Nest `LoggerService`. Default `new Logger('Cluster')` in the Nest
   * module, `[Cluster] level: message` lines on stderr from createCluster.
   */
  logger?: false | ClusterLogger;
  /** Largest frame accepted from a peer, bytes. Default 16 MiB. */
  maxFrameBytes?: NumericOption;
  /** A peer must finish the handshake within this, ms. Default 5000. */
  handshakeTimeoutMs?: NumericOption;
  /** How long close() waits for job callbacks to finish, ms. Default 10000. */
  shutdownTimeoutMs?: NumericOption;
}
