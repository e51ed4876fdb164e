import type { ClusterMode, LeaseSettings } from '../core/settings.js';
import { leaseOutlastingMs, usableLeaseMs } from '../core/lease-span.js';
import { defaultOptions } from './defaults.js';
import { fail, knownKeys, positiveMs } from './option-checks.js';

/** The modes that elect through the lease engine (DESIGN §5). */
export const LEASE_MODES: readonly ClusterMode[] = ['redis', 'lease', 'postgres', 'mysql', 'kubernetes'];

/** The same three timings as the seed's RedisDiscovery, whichever option group carries them. */
export interface LeaseTimingValues {
  readonly electionInterval: number;
  readonly electionPeriod: number;
  readonly syncLeaderInterval: number;
}

/**
 * electionInterval / electionPeriod / syncLeaderInterval of `group` (`redisDiscovery` or
 * `lease`), defaulting to the seed's RedisDiscovery values, checked against the lease margins when
 * `applies` (the mode uses this group): a leader must be able to act past one renewal interval.
 */
export function parseLeaseTimings(
  given: Record<string, unknown>,
  group: string,
  applies: boolean,
  margins: { clockDriftBound: number; eventLoopMarginMs: number },
): LeaseTimingValues {
  const d = defaultOptions().redisDiscovery;
  const electionInterval = positiveMs(given.electionInterval, `${group}.electionInterval`, d.electionInterval);
  const electionPeriod = positiveMs(given.electionPeriod, `${group}.electionPeriod`, d.electionPeriod);
  const syncLeaderInterval = positiveMs(given.syncLeaderInterval, `${group}.syncLeaderInterval`, d.syncLeaderInterval);
  if (electionPeriod <= electionInterval) {
    fail(
      `${group}.electionPeriod`,
      `the lease (${electionPeriod} ms) must be longer than the renewal interval electionInterval (${electionInterval} ms), or the lease lapses between renewals.`,
    );
  }
  const actingMs = usableLeaseMs(electionPeriod, margins.clockDriftBound, margins.eventLoopMarginMs);
  if (applies && actingMs <= electionInterval) {
    fail(
      `${group}.electionPeriod`,
      `after the clock-drift and event-loop margins a leader may act for ${Math.floor(actingMs)} ms of each ${electionPeriod} ms lease, which does not outlast one renewal interval (${electionInterval} ms); make electionPeriod more than ${Math.ceil(leaseOutlastingMs(electionInterval, margins.clockDriftBound, margins.eventLoopMarginMs))} ms or shorten electionInterval.`,
    );
  }
  return { electionInterval, electionPeriod, syncLeaderInterval };
}

const LEASE_OPTIONS = new Set(['name', 'store', 'electionInterval', 'electionPeriod', 'syncLeaderInterval']);
const STORE_METHODS = ['acquire', 'renew', 'release', 'read', 'close'];

/** `lease`: the timings of the postgres, mysql, kubernetes and lease modes, the lease's name, and a user store. */
export function parseLease(
  value: unknown,
  mode: ClusterMode,
  margins: { clockDriftBound: number; eventLoopMarginMs: number },
): LeaseSettings {
  const given = (value ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || given === null) fail('lease', 'expected an object.');
  knownKeys(given, LEASE_OPTIONS, 'lease');
  const name = given.name ?? defaultOptions().redisDiscovery.dataPath;
  if (typeof name !== 'string' || name === '' || name.length > 190) {
    fail('lease.name', 'expected a non-empty name of at most 190 characters: clusters with different names share a store without meeting.');
  }
  const store = given.store as Record<string, unknown> | undefined;
  if (mode === 'lease' && store === undefined) {
    fail('lease.store', "mode 'lease' needs a store: an object with acquire, renew, release, read and close (see LeaseStore).");
  }
  if (store !== undefined) {
    if (mode !== 'lease') fail('lease.store', `a user store is used only in mode 'lease', not '${mode}'.`);
    const missing = STORE_METHODS.filter((m) => typeof store?.[m] !== 'function');
    if (typeof store !== 'object' || store === null || missing.length > 0 || typeof store.leaseName !== 'string') {
      fail('lease.store', `expected a LeaseStore: leaseName and the methods ${STORE_METHODS.join(', ')}${missing.length ? ` (missing ${missing.join(', ')})` : ''}.`);
    }
  }
  const timings = parseLeaseTimings(given, 'lease', LEASE_MODES.includes(mode) && mode !== 'redis', margins);
  return { name, ...timings, store: store as LeaseSettings['store'] };
}
