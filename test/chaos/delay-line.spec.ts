import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DelayLine, deliveryAt, NO_DELAY, type Delay } from './delay-line.js';

// The relay's scheduling: one stream's chunks leave in the order they came, none before its delay.

describe('deliveryAt', () => {
  const arrivals = fc.array(
    fc.record({
      gap: fc.double({ min: 0, max: 500, noNaN: true }),
      baseMs: fc.double({ min: 0, max: 300, noNaN: true }),
      jitterShare: fc.double({ min: 0, max: 1, noNaN: true }),
      draw: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    }),
    { minLength: 1, maxLength: 50 },
  );

  it('keeps the stream in order, delays every chunk by at least its base, and adds no more than its jitter beyond the chunk ahead', () => {
    fc.assert(
      fc.property(arrivals, (chunks) => {
        let arrival = 0;
        let previous = -Infinity;
        for (const { gap, baseMs, jitterShare, draw } of chunks) {
          arrival += gap;
          const delay: Delay = { baseMs, jitterMs: baseMs * jitterShare };
          const at = deliveryAt(previous, arrival, delay, () => draw);
          expect(at).toBeGreaterThanOrEqual(previous);
          expect(at).toBeGreaterThanOrEqual(arrival + baseMs);
          expect(at).toBeLessThanOrEqual(Math.max(previous, arrival + baseMs + delay.jitterMs));
          previous = at;
        }
      }),
    );
  });
});

describe('DelayLine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A line on the fake clock whose delay the test sets, recording what left and when. */
  function line(random: () => number = Math.random) {
    let delay: Delay = NO_DELAY;
    const out: { what: string; at: number; delayedMs?: number; baseMs?: number }[] = [];
    const l = new DelayLine(
      { now: () => Date.now(), random, delay: () => delay },
      {
        deliver: (chunk, delayedMs, under) => out.push({ what: chunk.toString(), at: Date.now(), delayedMs, baseMs: under.baseMs }),
        end: () => out.push({ what: 'END', at: Date.now() }),
        reset: () => out.push({ what: 'RESET', at: Date.now() }),
      },
    );
    return { l, out, setDelay: (d: Delay) => (delay = d) };
  }

  it('passes a chunk on at once when there is no delay and nothing queued', () => {
    const { l, out } = line();
    l.push(Buffer.from('a'));
    expect(out.map((o) => o.what)).toEqual(['a']);
  });

  it('holds each chunk for its delay and never lets a later chunk overtake an earlier one', () => {
    const draws = [0.99, 0, 0.5, 0, 0.99, 0];
    const { l, out, setDelay } = line(() => draws.shift() ?? 0);
    const sent: { what: string; at: number; baseMs: number }[] = [];
    const send = (what: string, delay: Delay) => {
      setDelay(delay);
      l.push(Buffer.from(what));
      sent.push({ what, at: Date.now(), baseMs: delay.baseMs });
    };
    send('1', { baseMs: 200, jitterMs: 200 });
    vi.advanceTimersByTime(10);
    send('2', { baseMs: 20, jitterMs: 0 }); // a short delay behind a long one: waits for it
    send('3', { baseMs: 100, jitterMs: 100 });
    vi.advanceTimersByTime(5);
    send('4', NO_DELAY);
    l.close('end');
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(out.map((o) => o.what)).toEqual(['1', '2', '3', '4', 'END']);
    for (const s of sent) {
      const o = out.find((o) => o.what === s.what)!;
      expect(o.at).toBeGreaterThanOrEqual(s.at + s.baseMs);
      expect([o.delayedMs, o.baseMs]).toEqual([o.at - s.at, s.baseMs]);
    }
    const times = out.map((o) => o.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(l.queuedBytes).toBe(0);
  });

  it('passes a reset on after the data before it, and nothing after it', () => {
    const { l, out, setDelay } = line(() => 0);
    setDelay({ baseMs: 50, jitterMs: 0 });
    l.push(Buffer.from('x'));
    l.close('reset');
    l.push(Buffer.from('late'));
    vi.advanceTimersByTime(100);
    expect(out.map((o) => o.what)).toEqual(['x', 'RESET']);
  });

  it('delivers nothing once destroyed', () => {
    const { l, out, setDelay } = line(() => 0);
    setDelay({ baseMs: 50, jitterMs: 0 });
    l.push(Buffer.from('x'));
    l.destroy();
    vi.advanceTimersByTime(100);
    expect(out).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
