import type { ClusterModuleOptions } from './cluster-options.js';
import { usableLeaseMs } from '../core/lease-span.js';
import { defaultOptions } from './defaults.js';
import { fail, MAX_TIMER_MS, numeric, positiveMs } from './option-checks.js';

/** T, heartbeat, lease and its margins (DESIGN §4), each checked against the others. */
export function parseTiming(options: ClusterModuleOptions) {
  let electionTimeoutMs: number;
  if (options.electionTimeoutMs !== undefined) {
    electionTimeoutMs = positiveMs(options.electionTimeoutMs, 'electionTimeoutMs', 0, 10);
  } else {
    const seconds = numeric(options.timeout ?? defaultOptions().timeoutSeconds);
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0.01 || seconds * 1000 > MAX_TIMER_MS) {
      fail('timeout', `expected seconds (at least 0.01), got ${JSON.stringify(options.timeout)}.`);
    }
    electionTimeoutMs = seconds * 1000;
  }
  const d = defaultOptions(electionTimeoutMs);
  const heartbeatIntervalMs = positiveMs(options.heartbeatIntervalMs, 'heartbeatIntervalMs', d.heartbeatIntervalMs);
  // DESIGN §4: at most T/2, so a follower hears a heartbeat at least once per election timeout.
  if (heartbeatIntervalMs * 2 > electionTimeoutMs) {
    fail('heartbeatIntervalMs', `${heartbeatIntervalMs} ms is too long for an election timeout of ${electionTimeoutMs} ms; keep it at most half of it (default a tenth).`);
  }
  const leaseMs = positiveMs(options.leaseMs, 'leaseMs', d.leaseMs);
  // DESIGN §4: L ≤ T, so a follower never votes while a lease it granted may still run.
  if (leaseMs > electionTimeoutMs) {
    fail('leaseMs', `the lease (${leaseMs} ms) must not exceed the election timeout (${electionTimeoutMs} ms), or two leaders could act at once.`);
  }
  const clockDriftBound = numeric(options.clockDriftBound ?? d.clockDriftBound);
  if (typeof clockDriftBound !== 'number' || !(clockDriftBound >= 0 && clockDriftBound < 0.5)) {
    fail('clockDriftBound', `expected a fraction in [0, 0.5), got ${JSON.stringify(options.clockDriftBound)}.`);
  }
  const eventLoopMarginMs = numeric(options.eventLoopMarginMs ?? d.eventLoopMarginMs);
  if (typeof eventLoopMarginMs !== 'number' || !(eventLoopMarginMs >= 0)) {
    fail('eventLoopMarginMs', `expected milliseconds >= 0, got ${JSON.stringify(options.eventLoopMarginMs)}.`);
  }
  // DESIGN §4: the leader must be able to renew its lease before the usable part runs out.
  if (usableLeaseMs(leaseMs, clockDriftBound, eventLoopMarginMs) <= heartbeatIntervalMs) {
    fail('leaseMs', `after the drift and event-loop margins the lease (${leaseMs} ms) would not outlast one heartbeat interval (${heartbeatIntervalMs} ms); lengthen it or shorten the heartbeat.`);
  }
  return { electionTimeoutMs, heartbeatIntervalMs, leaseMs, clockDriftBound, eventLoopMarginMs };
}
