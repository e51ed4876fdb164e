import type { StoredHolder } from '../../lease-store.js';
import { checkHolder, type Holder } from '../../lease-values.js';
import { QUARANTINE } from './lease-scripts.js';

/** The leader key's value as a stored holder: undefined when absent or quarantined. */
export function storedHolder(value: unknown): StoredHolder | undefined {
  if (value === null || value === undefined || value === false || value === QUARANTINE) return undefined;
  if (typeof value === 'string') {
    try {
      const parsed = JSON.parse(value) as { node?: unknown; token?: unknown } | null;
      if (parsed !== null && typeof parsed === 'object') return { node: parsed.node, token: parsed.token, raw: value };
    } catch {
      // Not JSON: invalid like any other value this cluster never writes.
    }
  }
  return { node: undefined, token: undefined, raw: value };
}

/** What the leader key holds: a holder, nothing (absent or quarantined), or an invalid value. */
export function parseHolder(value: unknown, known: number): { holder?: Holder; invalid?: boolean } {
  const stored = storedHolder(value);
  if (!stored) return {};
  const holder = checkHolder(stored, known);
  return holder ? { holder } : { invalid: true };
}
