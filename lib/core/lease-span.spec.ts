import { describe, expect, it } from 'vitest';
import { leaseOutlastingMs, usableLeaseMs } from './lease-span.js';

describe('usableLeaseMs', () => {
  it('is L·(1−ρ)−δ (DESIGN §4)', () => {
    expect(usableLeaseMs(1000, 0.05, 50)).toBe(900);
  });

  it('has leaseOutlastingMs as its inverse', () => {
    expect(usableLeaseMs(leaseOutlastingMs(950, 0.05, 50), 0.05, 50)).toBeCloseTo(950);
  });
});
