import { isNodeName } from '../../node-name.js';
import { isTokenWithinReach } from '../term-ceiling.js';
import { QUARANTINE } from './lease-scripts.js';

/** The pub/sub notices on `{dataPath}:events`. */
export type Notice =
  | { type: 'acquired'; node: string; token: number }
  | { type: 'released'; node: string; token: number; to?: string };

export interface Holder {
  readonly node: string;
  readonly token: number;
}

/** What the leader key holds: a holder, nothing (absent or quarantined), or an invalid value. */
export type Reading = { holder?: Holder; invalid?: boolean };

/**
 * DESIGN §5: values read from a store are validated (positive safe integer tokens within reach
 * of the highest one known, see term-ceiling.ts, and bounded node names) and never adopted
 * otherwise (issue #10 item 4: one token of 1e300 made fencing tokens negative).
 */
export function parseHolder(value: unknown, known: number): Reading {
  if (value === null || value === undefined || value === false || value === QUARANTINE) return {};
  if (typeof value !== 'string') return { invalid: true };
  try {
    const parsed = JSON.parse(value) as { node?: unknown; token?: unknown } | null;
    if (isNodeName(parsed?.node) && isTokenWithinReach(parsed?.token, known)) {
      return { holder: { node: parsed.node, token: parsed.token } };
    }
  } catch {
    // Not JSON: invalid like any other value this engine never writes.
  }
  return { invalid: true };
}

/** A notice from the events channel, validated like a leader value (DESIGN §5), or undefined. */
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
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
