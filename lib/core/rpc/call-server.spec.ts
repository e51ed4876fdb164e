import { describe, expect, it, vi } from 'vitest';
import { ClusterError, ProtocolError } from '../errors.js';
import { silentLogger } from '../logger.js';
import type { RequestTransport, ServedRequest } from '../transport/transport.js';
import { CallServer } from './call-server.js';
import { FuncRegistry } from './func-registry.js';
import { FunctionRunner } from './function-runner.js';
import { parseOutcome } from './call-protocol.js';

/** A transport with one hand-fed request handler, and served requests that record their answers. */
function serverWith(functions: Record<string, (param: unknown, context: { signal: AbortSignal; callerNode: string }) => unknown>) {
  const registry = new FuncRegistry();
  for (const [name, fn] of Object.entries(functions)) registry.register(name, fn);
  let handler!: (request: ServedRequest) => void;
  const transport: RequestTransport = { peerNames: [], request: () => Promise.reject(new Error('unused')), onRequest: (h) => (handler = h) };
  new CallServer(transport, new FunctionRunner(registry), silentLogger);
  return (body: unknown, respond: (body: unknown) => void = () => undefined) => {
    const abort = new AbortController();
    const request = { peer: 'caller', body, timeoutMs: 1000, signal: abort.signal, aborted: false, respond: vi.fn(respond), cancel: vi.fn() };
    handler(request as unknown as ServedRequest);
    return { request, abort };
  };
}

describe('CallServer: calls as transport requests', () => {
  it('refuses a malformed call body synchronously with a ProtocolError, running nothing', () => {
    const ran = vi.fn();
    const serve = serverWith({ f: ran });
    for (const body of [null, 'f', [1], { funcName: 7 }, { funcName: 'f', traceId: 5 }]) {
      expect(() => serve(body)).toThrow(ProtocolError);
    }
    expect(ran).not.toHaveBeenCalled();
  });

  it('runs the function with the caller named by the link and the request signal, and answers its outcome', async () => {
    const serve = serverWith({ whoAndSignal: (_p, context) => [context.callerNode, context.signal.aborted] });
    const { request } = serve({ funcName: 'whoAndSignal', param: null, traceId: null });
    await vi.waitFor(() => expect(request.respond).toHaveBeenCalled());
    expect(parseOutcome(request.respond.mock.calls[0]![0])).toEqual({ status: 'ok', value: ['caller', false] });
  });

  it('shows the function its call and nothing of the request behind it', async () => {
    let seen: Record<string, unknown> = {};
    const serve = serverWith({ look: (_p, context) => void (seen = context as unknown as Record<string, unknown>) });
    const { request } = serve({ funcName: 'look', param: null, traceId: 't-1' });
    await vi.waitFor(() => expect(request.respond).toHaveBeenCalled());
    expect(Object.keys(seen)).toEqual(['funcName', 'callerNode', 'traceId']);
    expect(seen).toMatchObject({ funcName: 'look', callerNode: 'caller', traceId: 't-1' });
    expect(seen.signal).toBe(request.signal);
  });

  it('answers a result the transport cannot send with an error outcome carrying the same code', async () => {
    const serve = serverWith({ big: () => 'x' });
    let first = true;
    const { request } = serve({ funcName: 'big', param: null }, () => {
      if (!first) return;
      first = false;
      throw new ClusterError('ERR_CLUSTER_FRAME_TOO_LARGE', 'The response is 99 bytes, over maxFrameBytes (10).');
    });
    await vi.waitFor(() => expect(request.respond).toHaveBeenCalledTimes(2));
    expect(parseOutcome(request.respond.mock.calls[1]![0])).toMatchObject({
      status: 'error',
      error: { code: 'ERR_CLUSTER_FRAME_TOO_LARGE', message: expect.stringContaining('The result of "big" could not be sent') },
    });
  });
});
