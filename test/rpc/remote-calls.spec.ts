import { afterEach, describe, expect, it } from 'vitest';
import {
  FunctionNotFoundError,
  NodeUnavailableError,
  RemoteFunctionError,
  ShuttingDownError,
  TimeoutError,
} from '../../lib/core/errors.js';
import { outcomeToResult } from '../../lib/core/rpc/call-dispatcher.js';
import { currentTraceId, type CallContext } from '../../lib/core/rpc/trace.js';
import type { Transport } from '../../lib/core/transport/transport.js';
import { makeNode, startMesh, rpc } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';
import { activeResources, leakedSince } from '../helpers/handles.js';

type Mesh = Awaited<ReturnType<typeof startMesh>>;
let mesh: Mesh | undefined;
afterEach(async () => {
  await mesh?.close();
  mesh = undefined;
});

/** Resolves when `signal` aborts, with its reason. */
function whenAborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

const functions = {
  echo: (param: unknown) => param,
  fail: () => {
    throw Object.assign(new RangeError('no such shelf'), { code: 'E_SHELF' });
  },
  trace: () => currentTraceId(),
  caller: (_: unknown, context: CallContext) => context.callerNode,
  slow: async (ms: number, context: CallContext) => {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      context.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    return 'slow done';
  },
};

async function call(from: Transport, to: string, funcName: string, param?: unknown, timeoutMs = 5000) {
  return outcomeToResult(await rpc(from).call({ nodeName: to, funcName, param, timeoutMs }), to, funcName);
}

describe('remote calls over the transport', () => {
  it('returns the result, and the callee knows the caller by name', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const a = mesh.mesh.get('a')!.transport;
    expect(await call(a, 'b', 'echo', { hello: 'world' })).toEqual({ hello: 'world' });
    expect(await call(a, 'b', 'caller')).toBe('a');
  });

  it('keeps Date, Map, Set, BigInt, Buffer and nested objects', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const value = {
      at: new Date('2024-01-02T03:04:05Z'),
      map: new Map<unknown, unknown>([['k', { deep: [1, 2n ** 70n] }]]),
      set: new Set(['x', 'y']),
      big: -(2n ** 65n),
      bytes: Buffer.from([0, 1, 254, 255]),
    };
    const back = (await call(mesh.mesh.get('a')!.transport, 'b', 'echo', value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.map).toBeInstanceOf(Map);
    expect(Buffer.isBuffer(back.bytes)).toBe(true);
  });

  it('keeps typed arrays and errors, and refuses a cyclic parameter at the caller with ERR_CLUSTER_INVALID_ARGUMENT', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const a = mesh.mesh.get('a')!.transport;
    const value = { f64: new Float64Array([1.5, -2]), error: Object.assign(new TypeError('bad'), { code: 'E_BAD' }) };
    const back = (await call(a, 'b', 'echo', value)) as typeof value;
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect(back.error).toBeInstanceOf(TypeError);
    expect(back.error).toMatchObject({ message: 'bad', code: 'E_BAD' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(call(a, 'b', 'echo', cyclic)).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ARGUMENT' });
    expect(await call(a, 'b', 'echo', 'the link is still up')).toBe('the link is still up');
  });

  it.each([['with a secret (sealed frames)', {}], ['without a secret (loopback)', { secret: undefined }]])('carries a 256 KiB parameter and result %s', async (_, options) => {
    mesh = await startMesh(['a', 'b'], { functions, ...options });
    const big = 'x'.repeat(256 * 1024);
    expect(await call(mesh.mesh.get('a')!.transport, 'b', 'echo', big)).toBe(big);
    expect(await call(mesh.mesh.get('b')!.transport, 'a', 'echo', big)).toBe(big);
  });

  it("carries the callee's error name, message and code intact", async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const error = await call(mesh.mesh.get('a')!.transport, 'b', 'fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteFunctionError);
    expect(error).toMatchObject({ remoteName: 'RangeError', remoteMessage: 'no such shelf', remoteCode: 'E_SHELF', nodeName: 'b' });
  });

  it('reports a function the callee does not have as FunctionNotFound', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    await expect(call(mesh.mesh.get('a')!.transport, 'b', 'nope')).rejects.toBeInstanceOf(FunctionNotFoundError);
  });

  it('delivers the trace id to the callee', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const outcome = await rpc(mesh.mesh.get('a')!.transport).call({ nodeName: 'b', funcName: 'trace', param: undefined, traceId: 'trace-42', timeoutMs: 5000 });
    expect(outcome).toEqual({ status: 'ok', value: 'trace-42' });
  });

  it('times out on the caller and aborts the callee at the same deadline', async () => {
    let seen: Promise<unknown> | undefined;
    mesh = await startMesh(['a', 'b'], {
      functions: { hang: (_: unknown, context: CallContext) => (seen = whenAborted(context.signal)) },
    });
    const a = mesh.mesh.get('a')!.transport;
    await expect(rpc(a).call({ nodeName: 'b', funcName: 'hang', param: undefined, timeoutMs: 100 })).rejects.toBeInstanceOf(TimeoutError);
    await waitFor(() => seen !== undefined);
    expect(await seen).toBeInstanceOf(TimeoutError);
    expect(a.stats().calls.timedOut).toBe(1);
  });

  it('serves 64 calls in flight at once, fast ones not waiting for a slow one', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const a = mesh.mesh.get('a')!.transport;
    let slowDone = false;
    const slow = call(a, 'b', 'slow', 60_000, 120_000).then(() => (slowDone = true));
    const fast = await Promise.all(Array.from({ length: 63 }, (_, i) => call(a, 'b', 'echo', i)));
    expect(fast).toEqual(Array.from({ length: 63 }, (_, i) => i));
    // Election messages pass the slow call too.
    const got: unknown[] = [];
    mesh.mesh.get('b')!.transport.onMessage((from, payload) => got.push([from, payload]));
    expect(a.send('b', { term: 7 })).toBe(true);
    await waitFor(() => got.length === 1);
    expect(got).toEqual([['a', { term: 7 }]]);
    expect(slowDone).toBe(false);
    await mesh.close();
    mesh = undefined;
    await expect(slow).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it('refuses a parameter over maxFrameBytes on the caller, and turns an oversized result into an error, keeping the link', async () => {
    mesh = await startMesh(['a', 'b'], { functions: { ...functions, big: () => Buffer.alloc(2 * 1024 * 1024) } });
    const a = mesh.mesh.get('a')!.transport;
    await expect(call(a, 'b', 'echo', Buffer.alloc(2 * 1024 * 1024))).rejects.toMatchObject({ code: 'ERR_CLUSTER_FRAME_TOO_LARGE' });
    await expect(call(a, 'b', 'big')).rejects.toMatchObject({ remoteCode: 'ERR_CLUSTER_FRAME_TOO_LARGE' });
    expect(await call(a, 'b', 'echo', 'fine')).toBe('fine');
    expect(mesh.mesh.get('b')!.transport.stats().violations).toEqual({});
  });

  it('fails fast with NodeUnavailable when the peer is not connected', async () => {
    const [self, other] = [
      { name: 'a', ip: '127.0.0.1', port: 1 },
      { name: 'b', ip: '127.0.0.1', port: 2 },
    ];
    const { transport } = makeNode(self, [self, other]);
    await expect(rpc(transport).call({ nodeName: 'b', funcName: 'echo', param: 1, timeoutMs: 5000 })).rejects.toBeInstanceOf(NodeUnavailableError);
  });

  it('rejects in-flight calls with NodeUnavailable and signals the loss when the peer dies', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const a = mesh.mesh.get('a')!;
    const inFlight = call(a.transport, 'b', 'slow', 60_000, 120_000);
    inFlight.catch(() => undefined);
    await waitFor(() => mesh!.mesh.get('b')!.transport.stats().calls.served === 1);
    await mesh.mesh.get('b')!.transport.close();
    await expect(inFlight).rejects.toBeInstanceOf(NodeUnavailableError);
    await waitFor(() => a.lost.includes('b'), { what: 'onPeerLost("b")' });
    expect(a.transport.isAlive('b')).toBe(false);
    await expect(call(a.transport, 'b', 'echo', 1)).rejects.toBeInstanceOf(NodeUnavailableError);
  });

  it("aborts a served call's signal when its caller goes away", async () => {
    let aborted: Promise<unknown> | undefined;
    mesh = await startMesh(['a', 'b'], {
      functions: { hang: (_: unknown, context: CallContext) => (aborted = whenAborted(context.signal)) },
    });
    const pending = rpc(mesh.mesh.get('a')!.transport).call({ nodeName: 'b', funcName: 'hang', param: undefined, timeoutMs: 60_000 });
    pending.catch(() => undefined);
    await waitFor(() => aborted !== undefined);
    await mesh.mesh.get('a')!.transport.close();
    expect(await aborted).toBeInstanceOf(NodeUnavailableError);
  });

  it('re-dials with backoff and reconnects when the peer comes back', async () => {
    mesh = await startMesh(['a', 'b'], { functions });
    const a = mesh.mesh.get('a')!;
    await mesh.mesh.get('b')!.transport.close();
    await waitFor(() => a.lost.includes('b'));
    const dialledBefore = a.transport.stats().connections.dialled;
    await waitFor(() => a.transport.stats().connections.dialFailures >= 3, { what: 'a few refused re-dials' });
    const revived = makeNode(mesh.nodes[1]!, mesh.nodes, { functions });
    mesh.mesh.set('b', revived);
    await revived.transport.start();
    await waitFor(() => a.transport.isAlive('b'), { what: 'a to reconnect to b' });
    expect(a.transport.stats().connections.dialled).toBeGreaterThan(dialledBefore);
    expect(await call(a.transport, 'b', 'echo', 'back')).toBe('back');
  });

  it('leaves nothing behind when close() comes while start() is still listening', async () => {
    const before = activeResources();
    const [self, other] = [
      { name: 'a', ip: '127.0.0.1', port: 0 },
      { name: 'b', ip: '127.0.0.1', port: 1 },
    ];
    const { transport } = makeNode(self, [self, other]);
    const started = transport.start();
    await transport.close();
    await started;
    expect(transport.port).toBeUndefined();
    await waitFor(() => Object.keys(leakedSince(before)).length === 0, { timeoutMs: 2000 }).catch(() =>
      expect(leakedSince(before)).toEqual({}),
    );
  });

  it('leaves nothing holding the event loop after close()', async () => {
    const before = activeResources();
    const started = await startMesh(['a', 'b', 'c'], { functions });
    const pending = call(started.mesh.get('a')!.transport, 'b', 'slow', 60_000, 120_000);
    pending.catch(() => undefined);
    await waitFor(() => started.mesh.get('b')!.transport.stats().calls.served === 1);
    await started.close();
    await expect(pending).rejects.toBeInstanceOf(ShuttingDownError);
    await waitFor(() => Object.keys(leakedSince(before)).length === 0, {
      what: 'no leaked handles',
      timeoutMs: 2000,
    }).catch(() => expect(leakedSince(before)).toEqual({}));
  });
});
