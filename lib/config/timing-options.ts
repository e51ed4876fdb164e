import type { ClusterModuleOptions } from './cluster-options.js';
import { usableLeaseMs } from '../core/lease-span.js';
import { DEFAULTS } from './defaults.js';
import { fail, MAX_TIMER_MS, positiveMs } from './option-checks.js';

/** T, heartbeat, lease and its margins (DESIGN §4), each checked against the others. */
export function parseTiming(options: ClusterModuleOptions) {
  let electionTimeoutMs: number;
  if (options.electionTimeoutMs !== undefined) {
    electionTimeoutMs = positiveMs(options.electionTimeoutMs, 'electionTimeoutMs', 0, 10);
  } else {
    const seconds = options.timeout ?? DEFAULTS.timeoutSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0.01 || seconds * 1000 > MAX_TIMER_MS) {
      fail('timeout', `expected seconds (at least 0.01), got ${JSON.stringify(options.timeout)}.`);
    }
    electionTimeoutMs = seconds * 1000;
  }
  const heartbeatIntervalMs = positiveMs(
    options.heartbeatIntervalMs,
    'heartbeatIntervalMs',
    electionTimeoutMs * DEFAULTS.heartbeatFraction,
  );
  if (heartbeatIntervalMs * 2 > electionTimeoutMs) {
    fail('heartbeatIntervalMs', `${heartbeatIntervalMs} ms is too long for an election timeout of ${electionTimeoutMs} ms; keep it at most half of it (default a tenth).`);
  }
  const leaseMs = positiveMs(options.leaseMs, 'leaseMs', electionTimeoutMs * DEFAULTS.leaseFraction);
  if (leaseMs > electionTimeoutMs) {
    fail('leaseMs', `the lease (${leaseMs} ms) must not exceed the election timeout (${electionTimeoutMs} ms), or two leaders could act at once.`);
  }
  const clockDriftBound = options.clockDriftBound ?? DEFAULTS.clockDriftBound;
  if (typeof clockDriftBound !== 'number' || !(clockDriftBound >= 0 && clockDriftBound < 0.5)) {
    fail('clockDriftBound', `expected a fraction in [0, 0.5), got ${JSON.stringify(options.clockDriftBound)}.`);
  }
  const eventLoopMarginMs =
    options.eventLoopMarginMs ??
    Math.max(DEFAULTS.eventLoopMarginMinMs, electionTimeoutMs * DEFAULTS.eventLoopMarginFraction);
  if (typeof eventLoopMarginMs !== 'number' || !(eventLoopMarginMs >= 0)) {
    fail('eventLoopMarginMs', `expected milliseconds >= 0, got ${JSON.stringify(options.eventLoopMarginMs)}.`);
  }
  if (usableLeaseMs(leaseMs, clockDriftBound, eventLoopMarginMs) <= heartbeatIntervalMs) {
    fail('leaseMs', `after the drift and event-loop margins the lease (${leaseMs} ms) would not outlast one heartbeat interval (${heartbeatIntervalMs} ms); lengthen it or shorten the heartbeat.`);
  }
  return { electionTimeoutMs, heartbeatIntervalMs, leaseMs, clockDriftBound, eventLoopMarginMs };
}
