import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../clock.js';

const RAN = Symbol.for('nest-cluster.raft-node-ran');

/** A fresh copy of incarnation.ts in a process where no Raft node ran yet, in the main thread or a worker. */
async function load(mainThread: boolean): Promise<typeof import('./incarnation.js')> {
  delete (process as { [RAN]?: true })[RAN];
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

  it('holds across two copies of the package in one process: the second copy\'s first node counts from its own start', async () => {
    const first = await load(true);
    expect(first.incarnationStart(clock(1500, 3))).toBe(3);
    vi.resetModules();
    const second = await import('./incarnation.js');
    expect(second).not.toBe(first);
    expect(second.incarnationStart(clock(2000, 3))).toBe(2000);
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
