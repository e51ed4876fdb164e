import { isMainThread } from 'node:worker_threads';
import type { Clock } from '../../clock.js';

/**
 * Marks that a Raft node ran in this thread. It lives on `process`, not in this module: a question
 * about the process, whose answer must hold even when an app ends up with two copies of the package.
 */
const RAN = Symbol.for('nest-cluster.raft-node-ran');
type Marked = { [RAN]?: true };

/**
 * When this incarnation of a Raft node began (DESIGN §4): the earliest moment after which no
 * earlier incarnation of the same node can have voted or acknowledged a leader. Without `dataDir`
 * the node stays mute for one minimum election timeout from it, and it counts it as its last lease
 * acknowledgement (lease.ts), so the earlier it may honestly be, the sooner a cold cluster acts.
 *
 * An earlier incarnation in another process ended before this process started: node names are
 * unique (DESIGN §3, `nodes`), and two live processes under one name are twins, a misconfiguration
 * no Raft rule can make safe and the transport reports (peer-connections.ts). For the first node of
 * the main thread, then, the process's start is that moment, and a node that starts late in the
 * life of its process (a Nest app boots for a second or more before it) has served the mute and
 * the lease wait by the time it starts. A later node of the same process (a cluster closed and
 * created again), or one in a worker thread (another thread may have run the same node), counts
 * from its own start, as does every node on a clock that cannot tell when the process started.
 */
export function incarnationStart(clock: Clock): number {
  const now = clock.now();
  const marked = process as Marked;
  const first = marked[RAN] === undefined && isMainThread;
  marked[RAN] = true;
  const processStart = first ? clock.processStartedAt?.() : undefined;
  return processStart !== undefined && processStart <= now ? processStart : now;
}
