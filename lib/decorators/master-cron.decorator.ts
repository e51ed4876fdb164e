import { SetMetadata } from '@nestjs/common';
import { MASTER_CRON } from '../cluster.constants.js';
import { assertCronExpression, type MasterCronOptions } from '../core/jobs/cron-leader-job.js';

export interface MasterCronMetadata {
  readonly expression: string;
  readonly options: MasterCronOptions;
}

/**
 * Runs the method on a cron schedule, only on the acting leader, never overlapping itself. It
 * receives the leader context. Same expression syntax as `@nestjs/schedule` (six fields allowed).
 *
 * @example
 * @MasterCron('0 0 * * * *')          // every hour, on the leader only
 * async hourlyReport({ signal }: LeaderContext) { await this.reports.build(signal); }
 */
export const MasterCron = (expression: string, options: MasterCronOptions = {}): MethodDecorator => {
  assertCronExpression(expression, '@MasterCron');
  return SetMetadata(MASTER_CRON, { expression, options } satisfies MasterCronMetadata);
};
