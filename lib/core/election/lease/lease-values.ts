import { isNodeName } from '../../node-name.js';
import { isTokenWithinReach } from '../term-ceiling.js';
import type { StoredHolder } from './lease-store.js';

/** The notices a store's announce/watch carries between nodes. */
export type Notice =
  | { type: 'acquired'; node: string; token: number }
  | { type: 'released'; node: string; token: number; to?: string };

export interface Holder {
  readonly node: string;
  readonly token: number;
}

/**
 * DESIGN §5: values read from a store are validated (positive safe integer tokens within reach
 * of the highest one known, see term-ceiling.ts, and bounded node names) and never adopted
 * otherwise (issue #10 item 4: one token of 1e300 made fencing tokens negative).
 */
export function checkHolder(stored: StoredHolder, known: number): Holder | undefined {
  const { node, token } = stored;
  return isNodeName(node) && isTokenWithinReach(token, known) ? { node, token } : undefined;
}

/**
 * How many of this node's periods a lease may have left. A lease written with this node's period
 * never has more than one left; the slack lets nodes roll to a longer electionPeriod one by one.
 */
export const MAX_REMAINING_PERIODS = 10;

/**
 * The store's time left on a lease, validated: a number up to {@link MAX_REMAINING_PERIODS}
 * periods. More (a row edited by hand to last a year, Infinity) is invalid like a bad token; none
 * or a past one is an expired lease.
 */
export function remainingOf(value: unknown, periodMs: number): { ms: number } | { invalid: true } {
  if (value === undefined || value === null) return { ms: 0 };
  if (typeof value !== 'number' || Number.isNaN(value) || value > MAX_REMAINING_PERIODS * periodMs) return { invalid: true };
  return { ms: Math.max(0, value) };
}

/** A notice from the store's channel, validated like a holder (DESIGN §5), or undefined. */
export function parseNotice(message: string, known: number): Notice | undefined {
  let n: { type?: unknown; node?: unknown; token?: unknown; to?: unknown } | null;
  try {
    n = JSON.parse(message) as typeof n;
  } catch {
    return undefined;
  }
  if (!n || (n.type !== 'acquired' && n.type !== 'released')) return undefined;
  if (!isNodeName(n.node) || !isTokenWithinReach(n.token, known)) return undefined;
  if (n.type === 'acquired') return { type: 'acquired', node: n.node, token: n.token };
  if (n.to !== undefined && !isNodeName(n.to)) return undefined;
  return { type: 'released', node: n.node, token: n.token, to: n.to };
}

/** Shows a bad value in a log line without letting it flood the line. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
