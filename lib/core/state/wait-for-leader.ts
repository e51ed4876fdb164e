import type { Observable, Subscription } from 'rxjs';
import { NotReadyError, ShuttingDownError, TimeoutError } from '../errors.js';
import type { ClusterState } from '../events.js';

/**
 * Resolves with `leader()` once `state$` shows a known leader and `ready()` holds; rejects at once
 * on a disabled node, on close, or after `timeoutMs`.
 */
export function waitForLeader<L>(
  state$: Observable<ClusterState>,
  ready: () => boolean,
  leader: () => L,
  timeoutMs: number,
  nodeName: string,
): Promise<L> {
  return new Promise<L>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let subscription: Subscription | undefined;
    const finish = (error: Error | undefined, found?: L) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      subscription?.unsubscribe();
      if (error) reject(error);
      else resolve(found!);
    };
    const closed = () => new ShuttingDownError('The cluster closed before a leader was known.');
    subscription = state$.subscribe({
      next: (state) => {
        if (state.phase === 'disabled') finish(new NotReadyError('The cluster is disabled (enable: false); no leader will be elected.'));
        else if (state.phase === 'closing' || state.phase === 'closed') finish(closed());
        else if (state.leaderName !== undefined && ready()) finish(undefined, leader());
      },
      complete: () => finish(closed()),
    });
    if (settled) {
      subscription.unsubscribe();
      return;
    }
    timer = setTimeout(() => finish(new TimeoutError(`No leader within ${timeoutMs} ms (node "${nodeName}").`)), timeoutMs);
  });
}
