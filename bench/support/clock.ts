/**
 * One clock for every bench process: the process's time origin (wall clock, sampled once at
 * start, sub-millisecond) plus its monotonic clock. Parent and children on one machine read the
 * same timeline from it, so an event stamped in a child compares with a kill stamped in the parent.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
