import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRaftConfig } from './config.js';
import { leaseEnd, safeToActAfterVote } from './lease.js';

const cfg = resolveRaftConfig({ id: 'a', peers: ['a'], electionTimeoutMs: 1000, persisted: true });
// Clock rates within 1 ± 2.4%: any two disagree by less than ρ = 5% on an elapsed time.
const rate = fc.double({ min: 0.976, max: 1.024, noNaN: true });
const ms = (max: number) => fc.double({ min: 0, max, noNaN: true });

describe('lease arithmetic', () => {
  it('a new leader never starts acting before an old lease it learns of through a vote ends', () => {
    fc.assert(
      fc.property(rate, rate, rate, ms(2000), ms(2000), ms(2000), ms(0.8 * cfg.eventLoopMarginMs), (oldRate, voterRate, newRate, toVoter, untilVote, toNew, stall) => {
        // True time 0: the old leader sends the round a majority (this voter included) acknowledges.
        const oldStops = leaseEnd(0, cfg) / oldRate + stall; // its clock starts at 0; a late tick
        const heardAt = toVoter;
        const votedAt = heardAt + untilVote;
        const sinceLeaderMs = voterRate * untilVote;
        const receivedAt = votedAt + toNew;
        const newOrigin = 12345; // the new leader's clock reads newOrigin + newRate·t
        const local = safeToActAfterVote(newOrigin + newRate * receivedAt, sinceLeaderMs, cfg);
        const startsAt = (local - newOrigin) / newRate;
        expect(startsAt).toBeGreaterThan(oldStops);
      }),
      { numRuns: 20_000 },
    );
  });

  it('the lease is the round send time plus L·(1 − ρ) − δ', () => {
    expect(leaseEnd(1000, cfg)).toBe(1000 + 500 * 0.95 - 50);
  });
});
