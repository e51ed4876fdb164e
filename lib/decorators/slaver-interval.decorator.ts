import { SetMetadata } from '@nestjs/common';
import { SLAVER_INTERVAL } from '../cluster.constants.js';
import { intervalMetadata, type IntervalArgument, type IntervalJobOptions } from './interval-options.js';

/**
 * Runs the method every interval (seconds, or `{ ms }`) on followers that know their leader; it
 * receives the leader's name. Never overlaps itself.
 *
 * @example
 * @SlaverInterval(30)
 * report(leaderName: string) { this.logger.log(`following ${leaderName}`); }
 */
export const SlaverInterval = (every: IntervalArgument, options?: IntervalJobOptions): MethodDecorator =>
  SetMetadata(SLAVER_INTERVAL, intervalMetadata('SlaverInterval', every, options));
