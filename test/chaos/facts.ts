import type { ChaosMode } from './options.js';

/**
 * The timeline: every fact is stamped on the process it is about (`at` is hostNow() there), the
 * node's facts in the node, SIGSTOP/SIGCONT/SIGKILL and nemeses in the harness.
 */

/** What a node reports over IPC. `leaseEnd` is the engine's acting deadline at `at`, null if none. */
export type NodeFact =
  | { kind: 'started'; at: number }
  | { kind: 'event'; type: string; term: number; leader: string | null; leaseEnd: number | null; at: number }
  | { kind: 'tick'; token: number; term: number; leaseEnd: number | null; at: number }
  | { kind: 'call-start'; id: number; target: string; timeoutMs: number; at: number }
  | { kind: 'call-end'; id: number; ok: boolean; code: string | null; at: number };

/** What the harness records: faults, as seen from the harness. */
export type HarnessFact =
  | { kind: 'spawn'; dataDir: boolean; at: number }
  | { kind: 'sigkill'; at: number }
  /** The process is stopped from `from` (stamped after SIGSTOP was sent) to `to` (before SIGCONT). */
  | { kind: 'paused'; from: number; to: number; at: number }
  | { kind: 'nemesis'; cycle: number; name: string; at: number }
  | { kind: 'heal'; cycle: number; at: number };

export type Fact = (NodeFact | HarnessFact) & { node: string };

/** Facts the harness records about no node in particular use this name. */
export const HARNESS = '-';

/** How a node is told what to be: JSON in the CHAOS_NODE environment variable. */
export interface NodeSpec {
  readonly name: string;
  readonly mode: ChaosMode;
  readonly nodes: readonly { name: string; ip: string; port: number }[];
  readonly secret: string;
  readonly electionTimeoutMs: number;
  readonly dataDir?: string;
  /** Store modes: the store's URL, or in kubernetes mode a kubeconfig file; and the lease (redis: `redisDiscovery`, `name` as `dataPath`). */
  readonly storeUrl?: string;
  readonly lease?: { name: string; electionInterval: number; electionPeriod: number; syncLeaderInterval: number };
  readonly tickMs: number;
  readonly callEveryMs: number;
  readonly callTimeoutMs: number;
  /**
   * Self-test only: keep ticking with the old token after leadership ends, bypassing the lease
   * check, so the oracle can be shown to catch a stale leader.
   */
  readonly brokenKeepTicking?: boolean;
}
