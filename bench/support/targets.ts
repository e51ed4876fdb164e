import { fmt } from './stats.js';

/** One target of issue #6, checked against a measured figure: "met" or "missed", with the figure. */
export function target(what: string, measured: number, limit: number, direction: 'at most' | 'at least', unit = '', decimals = 1): string {
  const met = direction === 'at most' ? measured <= limit : measured >= limit;
  return `- ${met ? 'met' : '**missed**'}: ${what} ${direction} ${fmt(limit, decimals)}${unit}, measured ${fmt(measured, decimals)}${unit}`;
}
