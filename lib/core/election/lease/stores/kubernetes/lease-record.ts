import { isNodeName } from '../../../../node-name.js';
import type { ReplacedValue } from '../../lease-store.js';
import { MAX_REMAINING_PERIODS } from '../../lease-values.js';
import { tokenBound } from '../sql-rows.js';
import type { LeaseObject } from './lease-api.js';

/**
 * The mark of a Lease its holder released (the token it released). A free Lease without it was
 * cleared some other way (deleted, edited by hand, replaced as invalid, or never held), and a
 * leader may still act on what was lost, so nobody takes it until it has been seen unchanged for
 * one period: a quarantine (DESIGN §5, LeaseStore.acquire). A release is taken at once.
 */
export const RELEASED_ANNOTATION = 'nest-cluster/released';

/** A Lease read from the API server, validated: who holds it, its token, how long it lasts. */
export interface LeaseRecord {
  /** `resourceVersion`: the precondition of every write, and what "the record changed" means. */
  readonly version: string;
  /** The holder, or undefined when released or quarantined. */
  readonly holder: string | undefined;
  /** `leaseTransitions`: the fencing token of the current or last holder. */
  readonly token: number;
  readonly durationMs: number;
  readonly quarantined: boolean;
}

/**
 * A Lease's acquireTime and renewTime are MicroTime: RFC 3339 with exactly six fractional digits,
 * which the API server parses strictly; a Date would be sent with three.
 */
class MicroTime extends Date {
  override toISOString(): string {
    return `${super.toISOString().slice(0, -1)}000Z`;
  }
}

/** The lease length as the Lease spells it: whole seconds (config rejects other periods). */
export function durationSeconds(periodMs: number): number {
  return Math.max(1, Math.ceil(periodMs / 1000));
}

/**
 * DESIGN §5 for a Lease (issue #14): what a hand edit can leave that this cluster never writes, so
 * it is replaced by a quarantine rather than followed: no resourceVersion, a holder that is no node
 * name, a token that is not an integer in [0, bound) (or 0 while held), a duration that is not whole
 * seconds in [1, MAX_REMAINING_PERIODS periods].
 */
export function parseLease(
  lease: LeaseObject,
  where: string,
  highestToken: number,
  periodMs: number,
): { record: LeaseRecord } | { version: string | undefined; invalid: ReplacedValue } {
  const version = lease.metadata?.resourceVersion;
  const spec = lease.spec ?? {};
  const shown = { holderIdentity: spec.holderIdentity, leaseTransitions: spec.leaseTransitions, leaseDurationSeconds: spec.leaseDurationSeconds };
  const bad = (field: string, kind: ReplacedValue['kind']) => ({
    version: typeof version === 'string' ? version : undefined,
    invalid: { where: `${where}.${field}`, value: kind === 'counter' ? spec.leaseTransitions : shown, kind },
  });
  if (typeof version !== 'string' || version === '') return bad('metadata.resourceVersion', 'lease');
  const holder = spec.holderIdentity === '' || spec.holderIdentity === undefined || spec.holderIdentity === null ? undefined : spec.holderIdentity;
  if (holder !== undefined && !isNodeName(holder)) return bad('spec.holderIdentity', 'lease');
  const token = spec.leaseTransitions ?? 0;
  if (!Number.isSafeInteger(token) || token < 0 || token >= tokenBound(highestToken) || (holder !== undefined && token < 1)) {
    return bad('spec.leaseTransitions', 'counter');
  }
  const seconds = spec.leaseDurationSeconds;
  const validSeconds = Number.isSafeInteger(seconds) && seconds! >= 1 && seconds! * 1000 <= MAX_REMAINING_PERIODS * periodMs;
  if (holder !== undefined) {
    if (!validSeconds) return bad('spec.leaseDurationSeconds', 'lease');
    return { record: { version, holder, token, durationMs: seconds! * 1000, quarantined: false } };
  }
  if (lease.metadata?.annotations?.[RELEASED_ANNOTATION] !== undefined) {
    return { record: { version, holder, token, durationMs: 0, quarantined: false } };
  }
  // Cleared without a release: waited out for the longer of its own duration and this node's period.
  const durationMs = Math.max(validSeconds ? seconds! * 1000 : 0, periodMs);
  return { record: { version, holder, token, durationMs, quarantined: true } };
}

/** The body of a Lease this cluster writes; `previous` keeps metadata (name, resourceVersion). */
export function leaseBody(
  previous: LeaseObject,
  spec: { holder: string | undefined; token: number; periodMs: number; acquired: boolean; released?: boolean },
  wallTime: number,
): LeaseObject {
  const now = new MicroTime(wallTime);
  const annotations = { ...previous.metadata?.annotations };
  delete annotations[RELEASED_ANNOTATION];
  if (spec.released) annotations[RELEASED_ANNOTATION] = String(spec.token);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { ...previous.metadata, annotations },
    spec: {
      holderIdentity: spec.holder ?? '',
      leaseDurationSeconds: durationSeconds(spec.periodMs),
      // Stamps for people reading `kubectl get lease`; no node compares them with its own clock.
      acquireTime: spec.acquired ? now : (previous.spec?.acquireTime ?? now),
      renewTime: now,
      leaseTransitions: spec.token,
    },
  };
}
