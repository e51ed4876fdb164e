import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { parseCallBody } from './call-protocol.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const call = (traceContext: unknown) => ({ funcName: 'f', param: 1, traceId: undefined, traceContext });

describe('parseCallBody: the optional W3C trace context', () => {
  it('keeps a valid traceparent and tracestate as sent', () => {
    expect(parseCallBody(call({ traceparent: TRACEPARENT, tracestate: 'vendor=abc' })).traceContext).toEqual({
      traceparent: TRACEPARENT,
      tracestate: 'vendor=abc',
    });
    expect(parseCallBody(call(undefined)).traceContext).toBeUndefined();
  });

  it('refuses a trace context of the wrong shape as the rest of the body is: a ProtocolError', () => {
    for (const bad of ['00-x', 7, [TRACEPARENT], { traceparent: 5 }, { traceparent: TRACEPARENT, tracestate: 9 }]) {
      expect(() => parseCallBody(call(bad)), JSON.stringify(bad)).toThrow(ProtocolError);
    }
  });

  it('drops well-typed values that are not valid trace context, and keeps the call (W3C §3.2.2)', () => {
    const invalid = [
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', // no flags
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // zero trace id
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // zero parent id
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', // upper case
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // forbidden version
    ];
    for (const traceparent of invalid) {
      const parsed = parseCallBody(call({ traceparent, tracestate: 'a=b' }));
      expect(parsed.traceContext, traceparent).toBeUndefined();
      expect(parsed.funcName).toBe('f');
    }
    const long = parseCallBody(call({ traceparent: TRACEPARENT, tracestate: 'a='.padEnd(600, 'x') }));
    expect(long.traceContext).toEqual({ traceparent: TRACEPARENT });
  });
});
