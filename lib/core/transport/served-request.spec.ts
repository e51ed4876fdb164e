import { afterEach, describe, expect, it, vi } from 'vitest';
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

const request = (timeoutMs: number): RequestMessage => ({ type: 'request', id: 7, timeoutMs, body: 'ask' });

describe('ServedRequest (issue #9)', () => {
  it('clears its deadline timer when its link ends, and aborts its signal', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const done: ServedRequest[] = [];
    const served = new ServedRequest(fakeLink(), request(600_000), 1024, (r) => done.push(r));
    const signal = served.signal;
    expect(vi.getTimerCount()).toBe(1);
    served.cancel(new Error('link ended'));
    expect(signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    expect(done).toEqual([served]);
  });

  it('aborts at the deadline and sends nothing after it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const link = fakeLink();
    const served = new ServedRequest(link, request(100), 1024, () => undefined);
    vi.advanceTimersByTime(100);
    expect(served.aborted).toBe(true);
    expect(served.signal.reason).toMatchObject({ code: 'ERR_CLUSTER_TIMEOUT' });
    served.respond('too late');
    expect(link.frames).toEqual([]);
  });

  it('answers once, with the request id, and refuses a response over maxFrameBytes without sending it', () => {
    const link = fakeLink();
    const served = new ServedRequest(link, request(1000), 64, () => undefined);
    expect(() => served.respond('x'.repeat(100))).toThrow(expect.objectContaining({ code: 'ERR_CLUSTER_FRAME_TOO_LARGE' }));
    expect(link.frames).toEqual([]);
    served.respond('ok');
    served.respond('again');
    expect(link.frames.map((f) => parseMessage(decodeBody(f.subarray(4))))).toEqual([{ type: 'response', id: 7, body: 'ok' }]);
  });

  it('clamps a peer-sent timeoutMs above 2^31-1 instead of letting it become a 1 ms timer', () => {
    const parsed = parseMessage({ type: 'request', id: 1, timeoutMs: 2 ** 32, body: null }) as RequestMessage;
    expect(parsed.timeoutMs).toBe(MAX_TIMER_MS);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const served = new ServedRequest(fakeLink(), parsed, 1024, () => undefined);
    served.cancel(new Error('done'));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
