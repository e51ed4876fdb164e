import { isNodeName } from '../../../node-name.js';
import { MAX_TERM, MAX_TERM_STEP } from '../../term-ceiling.js';
import type { LeaseReading, ReplacedValue, StoredHolder } from '../lease-store.js';
import { remainingOf } from '../lease-values.js';

/** A lease row as an SQL store reads it: holder, token as text, time left in ms on the database clock. */
export interface LeaseRow {
  readonly holder: unknown;
  readonly token: unknown;
  readonly ms: unknown;
}

/** The bound a stored token must stay under for tokens to go on growing from it (see term-ceiling.ts). */
export function tokenBound(highestToken: number): number {
  return Math.min(MAX_TERM, highestToken + MAX_TERM_STEP);
}

/** A decimal token as the database returns it (text, so bigints keep every digit), or the raw value. */
function tokenOf(value: unknown): unknown {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
}

function msOf(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

export function storedHolderOf(row: LeaseRow): StoredHolder | undefined {
  if (row.holder === null || row.holder === undefined) return undefined;
  return { node: row.holder, token: tokenOf(row.token), raw: { holder: row.holder, token: row.token, ms: row.ms } };
}

/** A row as a reading: no holder with time left is a quarantine. */
export function readingOf(row: LeaseRow | undefined): LeaseReading {
  if (!row) return { holder: undefined, remainingMs: 0, quarantined: false };
  const ms = msOf(row.ms);
  const holder = storedHolderOf(row);
  return { holder, remainingMs: ms, quarantined: !holder && typeof ms === 'number' && ms > 0 };
}

/**
 * DESIGN §5 (issue #10 item 4) for SQL stores: what in a row this cluster never writes, which an
 * acquisition replaces by a quarantine rather than waiting on it forever: a token that is not an
 * integer in [0, bound), a holder that is no node name, no end time, or far more than one period
 * left (a row edited by hand to last a year).
 */
export function invalidPart(row: LeaseRow, where: string, highestToken: number, periodMs: number): ReplacedValue | undefined {
  const token = tokenOf(row.token);
  if (typeof token !== 'number' || !Number.isSafeInteger(token) || token < 0 || token >= tokenBound(highestToken)) {
    return { where: `${where}.token`, value: row.token, kind: 'counter' };
  }
  const ms = msOf(row.ms);
  const shown = { holder: row.holder, token: row.token, ms: row.ms };
  if (ms === null || ms === undefined || 'invalid' in remainingOf(ms, periodMs)) {
    return { where: `${where}.expires_at`, value: shown, kind: 'lease' };
  }
  if (row.holder !== null && !isNodeName(row.holder)) return { where: `${where}.holder`, value: shown, kind: 'lease' };
  return undefined;
}
