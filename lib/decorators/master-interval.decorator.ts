import { SetMetadata } from '@nestjs/common';
import { MASTER_INTERVAL } from '../cluster.constants.js';
import { intervalMetadata, type IntervalArgument, type IntervalJobOptions } from './interval-options.js';

/**
 * Runs the method every interval (seconds, or `{ ms }`) while this node is the acting leader.
 * The first run comes one interval after leadership starts unless `runOnStart`; a run never
 * overlaps the previous one (a busy tick is skipped). The method receives the leader context,
 * whose `signal` aborts the moment leadership is lost.
 *
 * @example
 * @MasterInterval(10)
 * async cleanUp({ signal, fencingToken }: LeaderContext) {
 *   await this.repo.deleteExpired({ signal, fencingToken });
 * }
 */
export const MasterInterval = (every: IntervalArgument, options?: IntervalJobOptions): MethodDecorator =>
  SetMetadata(MASTER_INTERVAL, intervalMetadata('MasterInterval', every, options));
