import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../deadline.js';
import { decodeBody } from './frame-codec.js';
import { MAX_TIMER_MS, parseMessage, type RequestMessage } from './protocol.js';
import { ServedRequest, type ResponseLink } from './served-request.js';

afterEach(() => {
  vi.useRealTimers();
});

function fakeLink(): ResponseLink & { frames: Buffer[] } {
  const frames: Buffer[] = [];
  return { peer: 'caller', frames, sendFrame: (frame) => (frames.push(frame), true) };
}

/** Read after vi.useFakeTimers, which fakes Date: the queue's clock moves with the fake timers. */
const fakeClockQueue = () => new DeadlineQueue({ now: () => Date.now(), wallTime: () => Date.now() });

const request = (timeoutMs: number): RequestMessage => ({ type: 'request', id: 7, timeoutMs, body: 'ask' });

describe('ServedRequest (issue #9)', () => {
  it('leaves the deadline queue when its link ends, and aborts its signal', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const done: ServedRequest[] = [];
    const deadlines = fakeClockQueue();
    const served = new ServedRequest(fakeLink(), request(600_000), 1024, (r) => done.push(r), deadlines);
    const signal = served.signal;
    expect(deadlines.size).toBe(1);
    const reason = new Error('link ended');
    served.cancel(reason);
    expect(signal.aborted).toBe(true);
    expect(deadlines.size).toBe(0);
    vi.advanceTimersByTime(600_000);
    expect(signal.reason).toBe(reason);
    expect(done).toEqual([served]);
  });

  it('aborts at the deadline and sends nothing after it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const link = fakeLink();
    const served = new ServedRequest(link, request(100), 1024, () => undefined, fakeClockQueue());
    vi.advanceTimersByTime(99);
    expect(served.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(served.aborted).toBe(true);
    expect(served.signal.reason).toMatchObject({ code: 'ERR_CLUSTER_TIMEOUT' });
    served.respond('too late');
    expect(link.frames).toEqual([]);
  });

  it('answers once, with the request id, and refuses a response over maxFrameBytes without sending it', () => {
    const link = fakeLink();
    const deadlines = fakeClockQueue();
    const served = new ServedRequest(link, request(1000), 64, () => undefined, deadlines);
    expect(() => served.respond('x'.repeat(100))).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_FRAME_TOO_LARGE' }));
    expect(link.frames).toEqual([]);
    served.respond('ok');
    served.respond('again');
    expect(link.frames.map((f) => parseMessage(decodeBody(f.subarray(4))))).toEqual([{ type: 'response', id: 7, body: 'ok' }]);
    expect(deadlines.size).toBe(0);
    deadlines.clear();
  });

  it('clamps a peer-sent timeoutMs above 2^31-1 instead of letting it become a 1 ms timer', () => {
    const parsed = parseMessage({ type: 'request', id: 1, timeoutMs: 2 ** 32, body: null }) as RequestMessage;
    expect(parsed.timeoutMs).toBe(MAX_TIMER_MS);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const deadlines = fakeClockQueue();
    const served = new ServedRequest(fakeLink(), parsed, 1024, () => undefined, deadlines);
    served.cancel(new Error('done'));
    deadlines.clear();
    process.off('warning', onWarning);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
