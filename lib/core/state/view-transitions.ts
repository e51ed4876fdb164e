import type { ElectionView } from '../election/election-engine.js';
import { ClusterEventType } from '../events.js';

const isFighting = (view: ElectionView): boolean =>
  view.role === 'pre-candidate' || view.role === 'candidate';

/**
 * The seed events implied by moving from one election view to the next, in delivery order:
 * teardown first (StopMaster, ReleaseMaster), then the election edges, then the new leadership.
 * Deriving events from views, rather than emitting them where things happen, is what keeps every
 * SignMaster paired with exactly one StopMaster: they are the edges of one boolean.
 */
export function eventsBetween(
  prev: ElectionView,
  next: ElectionView,
  selfName: string,
): ClusterEventType[] {
  const events: ClusterEventType[] = [];
  if (prev.acting && !next.acting) events.push(ClusterEventType.StopMaster);
  if (prev.leaderName !== undefined && next.leaderName !== prev.leaderName) {
    events.push(ClusterEventType.ReleaseMaster);
  }
  if (!isFighting(prev) && isFighting(next)) events.push(ClusterEventType.ElectionStart);
  if (isFighting(prev) && !isFighting(next)) events.push(ClusterEventType.ElectionFinish);
  if (!prev.acting && next.acting) events.push(ClusterEventType.SignMaster);
  if (
    next.leaderName !== undefined &&
    next.leaderName !== selfName &&
    next.leaderName !== prev.leaderName
  ) {
    events.push(ClusterEventType.SignFollower);
  }
  return events;
}
