import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../clock.js';

/** A fresh copy of incarnation.ts (its module state is the point), in the main thread or a worker. */
async function load(mainThread: boolean): Promise<typeof import('./incarnation.js')> {
  vi.resetModules();
  vi.doMock('node:worker_threads', () => ({ isMainThread: mainThread }));
  return import('./incarnation.js');
}

function clock(now: number, processStartedAt?: number): Clock {
  return { now: () => now, wallTime: () => 0, ...(processStartedAt === undefined ? {} : { processStartedAt: () => processStartedAt }) };
}

afterEach(() => {
  vi.doUnmock('node:worker_threads');
});

describe('incarnationStart', () => {
  it('gives the first node of the main thread the process\'s start, and every later node its own start', async () => {
    const { incarnationStart } = await load(true);
    expect(incarnationStart(clock(1500, 3))).toBe(3);
    expect(incarnationStart(clock(9000, 3))).toBe(9000);
  });

  it('counts from the node\'s own start in a worker thread, where another thread may have run the node', async () => {
    const { incarnationStart } = await load(false);
    expect(incarnationStart(clock(1500, 3))).toBe(1500);
  });

  it('counts from the node\'s own start on a clock that cannot tell when the process started, or tells a later time', async () => {
    expect((await load(true)).incarnationStart(clock(1500))).toBe(1500);
    expect((await load(true)).incarnationStart(clock(1500, 1600))).toBe(1500);
  });
});
