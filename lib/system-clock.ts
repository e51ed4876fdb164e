import type { Clock } from './core/clock.js';

/** The process's clocks: `performance.now()` for every duration, `Date.now()` only for stamps. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallTime: () => Date.now(),
  // process.uptime() counts from the process's start on the monotonic source performance.now() reads.
  processStartedAt: () => performance.now() - process.uptime() * 1000,
};
