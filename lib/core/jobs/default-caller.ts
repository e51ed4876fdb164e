import type { LeaderContext } from './leader-context.js';

/**
 * The seed's DefaultCaller: a no-op base to extend; override what you need.
 *
 * @example
 * class ReportCaller extends DefaultCaller {
 *   override async masterCall({ signal }: LeaderContext) { await reports.build({ signal }); }
 * }
 * new DefaultJobTracker(10, cluster, new ReportCaller()).start();
 */
export class DefaultCaller {
  /** Runs every interval on the acting leader; never overlaps itself. */
  masterCall(_context: LeaderContext): unknown {
    return undefined;
  }

  /** Runs every interval on a follower that knows its leader. */
  slaverCall(_leaderName: string): unknown {
    return undefined;
  }

  onStartedLeading?(context: LeaderContext): unknown;
  onStoppedLeading?(): unknown;
  onNewLeader?(leaderName: string): unknown;
  onReleaseMaster?(): unknown;
}
