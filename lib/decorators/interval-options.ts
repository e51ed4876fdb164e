import { intervalMs } from '../core/jobs/default-job-tracker.js';

export interface IntervalJobOptions {
  /** Run once as soon as the role starts, then every interval. Default false. */
  runOnStart?: boolean;
}

/** `@MasterInterval(10)`, `@MasterInterval(10, { runOnStart: true })` or `@MasterInterval({ ms: 500 })`. */
export type IntervalArgument = number | ({ ms: number } & IntervalJobOptions);

export interface IntervalJobMetadata {
  readonly ms: number;
  readonly runOnStart: boolean;
}

export function intervalMetadata(
  decorator: string,
  every: IntervalArgument,
  options: IntervalJobOptions = {},
): IntervalJobMetadata {
  const ms = intervalMs(every, `@${decorator}`);
  const runOnStart = (typeof every === 'object' ? every.runOnStart : undefined) ?? options.runOnStart ?? false;
  return { ms, runOnStart };
}
