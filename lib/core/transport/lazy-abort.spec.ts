import { describe, expect, it } from 'vitest';
import { LazyAbort } from './lazy-abort.js';

describe('LazyAbort', () => {
  it('a signal read before the abort aborts with the reason', () => {
    const abort = new LazyAbort();
    const signal = abort.signal;
    const reason = new Error('deadline');
    abort.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(abort.aborted).toBe(true);
  });

  it('a signal first read after the abort is already aborted, with the first reason', () => {
    const abort = new LazyAbort();
    const first = new Error('first');
    abort.abort(first);
    abort.abort(new Error('second'));
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(first);
  });

  it('is not aborted until abort() is called', () => {
    const abort = new LazyAbort();
    expect(abort.aborted).toBe(false);
    expect(abort.signal.aborted).toBe(false);
  });
});
