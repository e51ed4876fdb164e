import { ClusterError } from '../errors.js';

/** Given to leader callbacks and leader jobs for one leadership. */
export interface LeaderContext {
  /** The term (redis mode: the epoch) of this leadership. */
  readonly term: number;
  /**
   * Grows with every leadership across the cluster: pass it to the systems you write to so they
   * can reject a deposed leader's late writes. Strictly increasing from one leader to the next in
   * redis mode and in cluster mode with `dataDir`; a leader that acts again within its term after a
   * brief lapse keeps it. In cluster mode without `dataDir` a restarted node may vote twice in one
   * term, so two leaders (never acting at once) can share a token. See README "The leader context".
   */
  readonly fencingToken: number;
  /**
   * Aborts when this node stops acting as leader: at once when leadership is lost, and no later
   * than the lease end as seen by any leader-job start or `isLeader()` call (the lease is checked
   * on the clock, so a stalled process that resumes past its lease aborts before it runs a job).
   */
  readonly signal: AbortSignal;
}

export class LeadershipLostError extends ClusterError {
  constructor(term: number) {
    super('ERR_CLUSTER_LEADERSHIP_LOST', `Leadership of term ${term} ended.`);
  }
}
