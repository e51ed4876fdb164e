import type { ClusterEventType } from 'nest-cluster';

/** What a sample node started by the demo tells it over IPC. */
export type NodeReport =
  | { type: 'ready'; node: string; url: string }
  /** A run of the sample's `@MasterInterval` job on this node. */
  | { type: 'job'; run: number; fencingToken: number; at: number }
  | {
      type: 'event';
      event: { type: ClusterEventType; term: number; nodeName: string; leaderName: string | undefined; at: number };
    };
