import type { ClusterEventType } from 'nest-cluster';

/** How the bench tells a node what to be: JSON in the BENCH_NODE environment variable. */
export interface NodeSpec {
  readonly name: string;
  /**
   * `liferaft`: a @markwylde/liferaft node (`liferaft-node.ts`) in place of ours, for comparison;
   * `idle-floor`: the frames of an idle cluster over bare net (`idle-floor.ts`), the idle bench's floor.
   */
  readonly mode: 'cluster' | 'redis' | 'postgres' | 'mysql' | 'kubernetes' | 'liferaft' | 'idle-floor';
  /** Cluster mode and liferaft: every node, this one included. */
  readonly nodes?: readonly { name: string; ip: string; port: number }[];
  readonly electionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Cluster mode: where term and vote survive a restart. */
  readonly dataDir?: string;
  /**
   * Which entry point loads `createCluster`: `core` (default), the framework-free
   * `nest-cluster/core` a non-Nest process uses, or `root`, `nest-cluster`, which also loads the
   * Nest module and with it @nestjs/core (a Nest app loads that for itself anyway).
   */
  readonly entry?: 'core' | 'root';
  /** Redis mode. */
  readonly redisUrl?: string;
  readonly redisDiscovery?: {
    readonly dataPath: string;
    readonly electionInterval: number;
    readonly electionPeriod: number;
    readonly syncLeaderInterval: number;
  };
  /** Postgres and mysql modes: the database URL; kubernetes mode: a kubeconfig file. And the lease (timings as redisDiscovery's). */
  readonly storeUrl?: string;
  readonly lease?: {
    readonly name: string;
    readonly electionInterval?: number;
    readonly electionPeriod?: number;
    readonly syncLeaderInterval?: number;
  };
}

/** What a node reports over IPC; every `at` is `sharedNow()` in the node. */
export type NodeReport =
  | { type: 'loaded'; at: number }
  | { type: 'imported'; at: number }
  | { type: 'started'; at: number }
  | { type: 'event'; event: ClusterEventType; term: number; leader: string | undefined; at: number }
  | { type: 'usage'; cpuMicros: number; rss: number; at: number }
  | { type: 'closing'; at: number };

export type NodeCommand = { type: 'usage' } | { type: 'close' };
