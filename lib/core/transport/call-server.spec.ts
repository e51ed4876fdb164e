import { afterEach, describe, expect, it, vi } from 'vitest';
import { FuncRegistry } from '../rpc/func-registry.js';
import { FunctionRunner } from '../rpc/function-runner.js';
import { CallServer } from './call-server.js';
import { PeerLink } from './peer-link.js';
import { MAX_TIMER_MS, parseMessage, type CallMessage } from './protocol.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A link as far as the call server uses it: a name, served calls, and sends that go nowhere. */
function fakeLink(): PeerLink {
  const link = Object.create(PeerLink.prototype) as PeerLink;
  Object.defineProperty(link, 'peer', { value: 'caller' });
  Object.assign(link, { serving: new Set(), sendFrame: () => true, destroy: () => undefined });
  return link;
}

function hangingServer(signals: AbortSignal[]): CallServer {
  const registry = new FuncRegistry();
  registry.register('hang', (_param: unknown, context) => {
    signals.push(context.signal);
    return new Promise(() => undefined);
  });
  return new CallServer(new FunctionRunner(registry), 1024 * 1024);
}

const call = (timeoutMs: number): CallMessage => ({ type: 'call', id: 1, funcName: 'hang', param: null, traceId: undefined, timeoutMs });

describe('CallServer (issue #9)', () => {
  it("clears a served call's deadline timer when its link ends, and aborts its signal", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const signals: AbortSignal[] = [];
    const link = fakeLink();
    hangingServer(signals).serve(link, call(600_000));
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    expect(vi.getTimerCount()).toBe(1);
    link.cancelServing(() => new Error('link ended'));
    expect(signals[0]!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clamps a peer-sent timeoutMs above 2^31-1 instead of letting it become a 1 ms timer', () => {
    const parsed = parseMessage({ type: 'call', id: 1, funcName: 'f', param: null, timeoutMs: 2 ** 32 }) as CallMessage;
    expect(parsed.timeoutMs).toBe(MAX_TIMER_MS);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const signals: AbortSignal[] = [];
    const link = fakeLink();
    hangingServer(signals).serve(link, parsed);
    link.cancelServing(() => new Error('done'));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
