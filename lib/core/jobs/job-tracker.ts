import type { LeaderContext } from './leader-context.js';

/**
 * Callbacks on leadership changes (the seed's JobTracker). Each tracker's callbacks run one at a
 * time, in event order; a returned promise is awaited before its next callback. A callback that
 * throws is logged and never stops the cluster or other trackers.
 *
 * @example
 * cluster.addJobTracker({
 *   name: 'feeder',
 *   onStartedLeading: ({ signal }) => feeder.start(signal),
 *   onStoppedLeading: () => feeder.stop(),
 * });
 */
export interface JobTracker {
  readonly name: string;
  /** This node became the acting leader. Always followed by exactly one onStoppedLeading. */
  onStartedLeading?(context: LeaderContext): unknown;
  /** This node stopped acting as leader (lease lost, stepped down, hand-over or close). */
  onStoppedLeading?(): unknown;
  /** A leader became known; on the leader itself too, with its own name. */
  onNewLeader?(leaderName: string): unknown;
  /** The leader this node knew is gone (lost contact, stepped down, or replaced). */
  onReleaseMaster?(): unknown;
}
