import { ClusterConfigError } from '../core/errors.js';

/** The longest delay a Node timer takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Every rejected option ends here: one sentence that names the field and says what to do. */
export function fail(field: string, message: string): never {
  throw new ClusterConfigError(`Invalid cluster option \`${field}\`: ${message}`);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Issue #12: options read from the environment (ConfigService, process.env) arrive as strings, so
 * a decimal numeric string counts as its number. Anything else (`"abc"`, `""`, `"0x10"`,
 * `"Infinity"`) is returned as given, for its check to reject in the usual sentence.
 */
export function numeric(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return DECIMAL.test(text) ? Number(text) : value;
}

export function bounded(given: unknown, field: string, fallback: number, min: number, max: number, unit: string): number {
  if (given === undefined) return fallback;
  const value = numeric(given);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(field, `expected ${unit} between ${min} and ${max}, got ${JSON.stringify(given)}.`);
  }
  return value;
}

export function positiveMs(value: unknown, field: string, fallback: number, min = 1): number {
  return bounded(value, field, fallback, min, MAX_TIMER_MS, 'milliseconds');
}

export function knownKeys(given: object, known: Set<string>, field: string): void {
  for (const key of Object.keys(given)) {
    if (!known.has(key)) fail(`${field}.${key}`, `unknown option; known options are ${[...known].join(', ')}.`);
  }
}
