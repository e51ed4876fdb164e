import { describe, expect, it } from 'vitest';
import { redialDelayMs } from './backoff.js';

describe('redialDelayMs', () => {
  it('doubles its ceiling per failed dial up to the cap', () => {
    const ceiling = (attempt: number) => redialDelayMs(attempt, 50, 1000, () => 0.999999) + 1;
    expect([0, 1, 2, 3, 4, 5, 10, 100].map(ceiling)).toEqual([50, 100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('spreads each delay over the whole range below the ceiling (full jitter)', () => {
    expect(redialDelayMs(3, 50, 1000, () => 0)).toBe(0);
    expect(redialDelayMs(3, 50, 1000, () => 0.5)).toBe(200);
  });
});
