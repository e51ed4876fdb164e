import type { ElectionView } from '../election-engine.js';
import { NO_LEADER_VIEW } from '../election-engine.js';

/** What the lease engine knows at one instant; the view follows from it alone. */
export interface LeaseState {
  readonly nodeName: string;
  readonly stopped: boolean;
  /** The token of the lease this node holds, if it holds one. */
  readonly heldToken: number | undefined;
  /** DESIGN §4 hand-over: holding the lease without acting while leader work drains. */
  readonly resigned: boolean;
  /** The other node whose lease is known to be valid now, if any. */
  readonly leaderNode: string | undefined;
  /** Highest token seen. */
  readonly term: number;
  /** This node competes in the next acquisition (it did not just hand leadership over). */
  readonly competing: boolean;
}

export function leaseView(s: LeaseState): ElectionView {
  if (s.stopped) return { ...NO_LEADER_VIEW, term: s.term };
  if (s.heldToken !== undefined && s.resigned) {
    return { role: 'leader', term: s.heldToken, leaderName: undefined, acting: false, fencingToken: 0 };
  }
  if (s.heldToken !== undefined) {
    return { role: 'leader', term: s.heldToken, leaderName: s.nodeName, acting: true, fencingToken: s.heldToken };
  }
  // A lease under this node's own name that this engine does not hold (an earlier incarnation, or
  // a second process misconfigured with the same name) is someone else's lease: it is not followed.
  const leaderName = s.leaderNode !== s.nodeName ? s.leaderNode : undefined;
  // With no holder known, every attempt may win: the node is campaigning (isFighting, and the
  // seed's ElectionStart/ElectionFinish around it), unless it just handed leadership over.
  const campaigning = s.leaderNode === undefined && s.competing;
  return { role: campaigning ? 'candidate' : 'follower', term: s.term, leaderName, acting: false, fencingToken: 0 };
}

export function sameView(a: ElectionView, b: ElectionView): boolean {
  return (
    a.role === b.role &&
    a.term === b.term &&
    a.leaderName === b.leaderName &&
    a.acting === b.acting &&
    a.fencingToken === b.fencingToken
  );
}
