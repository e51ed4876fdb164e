import type { LeaderJobRunner } from '../../lib/core/jobs/default-job-tracker.js';
import type { LeaderContext } from '../../lib/core/jobs/leader-context.js';
import { LeaderWork } from '../../lib/core/jobs/leader-work.js';
import { silentLogger, type ClusterLogger } from '../../lib/core/logger.js';

const works = new WeakMap<LeaderContext, LeaderWork>();

/**
 * One leadership for job specs, with a lease the test controls: `expire()` ends it on the clock
 * without any timer firing (what a resumed, stalled process sees).
 */
export function testLeadership(term = 1, logger: ClusterLogger = silentLogger) {
  let until = Number.POSITIVE_INFINITY;
  let lapses = 0;
  const work = new LeaderWork(
    term,
    term,
    { clock: { now: () => 0, wallTime: () => 0 }, actingUntil: () => until, lapsed: () => void lapses++ },
    logger,
  );
  works.set(work.context, work);
  return {
    work,
    context: work.context,
    expire: () => void (until = Number.NEGATIVE_INFINITY),
    get lapses() {
      return lapses;
    },
  };
}

/** What the cluster does for DefaultJobTracker and CronLeaderJob: run through the leadership. */
export const leaderRunner: LeaderJobRunner = {
  runAsLeader: (name, context, job) => works.get(context)?.run(name, job) ?? false,
};
