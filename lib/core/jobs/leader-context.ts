import { ClusterError } from '../errors.js';

/** Given to leader callbacks and leader jobs for one leadership. */
export interface LeaderContext {
  /** The term (redis mode: the epoch) of this leadership. */
  readonly term: number;
  /**
   * Strictly increasing per leadership across the cluster: pass it to the systems you write to so
   * they can reject a deposed leader's late writes.
   */
  readonly fencingToken: number;
  /** Aborts the moment this node stops acting as leader. */
  readonly signal: AbortSignal;
}

export class LeadershipLostError extends ClusterError {
  constructor(term: number) {
    super('ERR_CLUSTER_LEADERSHIP_LOST', `Leadership of term ${term} ended.`);
  }
}

/** One leadership: its context, and the switch that ends it. */
export class Leadership {
  private readonly controller = new AbortController();
  readonly context: LeaderContext;

  constructor(term: number, fencingToken: number) {
    this.context = { term, fencingToken, signal: this.controller.signal };
  }

  end(): void {
    this.controller.abort(new LeadershipLostError(this.context.term));
  }
}
