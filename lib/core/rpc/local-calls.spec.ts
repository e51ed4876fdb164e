import { describe, expect, it } from 'vitest';
import { createCluster } from '../../create-cluster.js';
import {
  FunctionNotFoundError,
  NodeNotFoundError,
  NotReadyError,
  RemoteFunctionError,
  ShuttingDownError,
  TimeoutError,
} from '../errors.js';
import { newAsyncFuncSpec, newFuncSpec } from './func-spec.js';
import { currentCallContext, currentTraceId } from './trace.js';

async function started() {
  const cluster = createCluster({ mode: 'single', nodeName: 'solo', logger: false });
  await cluster.startUp();
  return cluster;
}

describe('callFunc to this node', () => {
  it('returns the result of a registered function (the seed’s processData example)', async () => {
    const cluster = await started();
    cluster.registerFunc('processData', (data: string) => `处理结果: ${data}`);
    await expect(cluster.callFunc(newFuncSpec('solo', 'processData', 'test data', 3000))).resolves.toBe('处理结果: test data');
    await cluster.close();
  });

  it('keeps Date, Map, Set, BigInt, Buffer and nested values, as a remote call would', async () => {
    const cluster = await started();
    cluster.registerFunc('echo', (value: unknown) => value);
    const value = {
      when: new Date('2026-01-02T03:04:05Z'),
      map: new Map<unknown, unknown>([[1, { a: [1, 2] }], ['k', new Set(['x'])]]),
      big: 2n ** 70n,
      bytes: Buffer.from('hello'),
      nested: { list: [1.5, -3, null, 'ü'], deep: { deeper: true } },
    };
    const result = await cluster.callFunc(newFuncSpec<typeof value>('solo', 'echo', value));
    expect(result).toEqual(value);
    expect(result).not.toBe(value); // a copy, exactly like a trip over the wire
    expect(result.when).toBeInstanceOf(Date);
    expect(result.map).toBeInstanceOf(Map);
    expect(typeof result.big).toBe('bigint');
    expect(Buffer.isBuffer(result.bytes)).toBe(true);
    await cluster.close();
  });

  it('refuses a cyclic parameter with ERR_CLUSTER_INVALID_ARGUMENT, as a remote call does', async () => {
    const cluster = await started();
    cluster.registerFunc('echo', (value: unknown) => value);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(cluster.callFunc(newFuncSpec('solo', 'echo', cyclic))).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ARGUMENT' });
    await cluster.close();
  });

  it('gives the callee the trace id and call context through AsyncLocalStorage', async () => {
    const cluster = await started();
    cluster.registerFunc('whoCalls', async () => {
      await new Promise((r) => setImmediate(r));
      return { trace: currentTraceId(), caller: currentCallContext()?.callerNode };
    });
    const spec = newFuncSpec('solo', 'whoCalls', null).setTraceId('trace-123');
    await expect(cluster.callFunc(spec)).resolves.toEqual({ trace: 'trace-123', caller: 'solo' });
    expect(currentTraceId()).toBeUndefined();
    await cluster.close();
  });

  it('raises typed errors: unknown node, unknown function, a throwing function, a timeout', async () => {
    const cluster = await started();
    cluster.registerFunc('fails', () => {
      throw Object.assign(new RangeError('too big'), { code: 'E_TOO_BIG' });
    });
    cluster.registerFunc('slow', (_: unknown, { signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)));

    await expect(cluster.callFunc(newFuncSpec('node2', 'x', 1))).rejects.toBeInstanceOf(NodeNotFoundError);
    await expect(cluster.callFunc(newFuncSpec('solo', 'nope', 1))).rejects.toBeInstanceOf(FunctionNotFoundError);
    const failure = await cluster.callFunc(newFuncSpec('solo', 'fails', 1)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteFunctionError);
    expect(failure).toMatchObject({
      code: 'ERR_CLUSTER_REMOTE_FUNCTION',
      remoteName: 'RangeError',
      remoteMessage: 'too big',
      remoteCode: 'E_TOO_BIG',
      nodeName: 'solo',
      funcName: 'fails',
    });
    await expect(cluster.callFunc(newFuncSpec('solo', 'slow', 1, 20))).rejects.toBeInstanceOf(TimeoutError);
    await expect(cluster.callFunc(newFuncSpec('solo', 'slow', 1, -5))).rejects.toMatchObject({ code: 'ERR_CLUSTER_INVALID_ARGUMENT' });
    await cluster.close();
  });

  it('an async spec returns at once; getResult() is undefined until done, then the result', async () => {
    const cluster = await started();
    let finish!: (value: string) => void;
    cluster.registerFunc('later', () => new Promise<string>((resolve) => (finish = resolve)));
    const spec = newAsyncFuncSpec<string>('solo', 'later', null);
    await expect(cluster.callFunc(spec)).resolves.toBeUndefined();
    expect(spec.getResult()).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    finish('ready');
    await expect(spec.done).resolves.toBe('ready');
    expect(spec.getResult()).toBe('ready');
    await cluster.close();
  });

  it('an async spec that fails throws from getResult() and rejects done, never unhandled', async () => {
    const cluster = await started();
    const spec = newAsyncFuncSpec('solo', 'missing', null);
    await cluster.callFunc(spec);
    await expect(spec.done).rejects.toBeInstanceOf(FunctionNotFoundError);
    expect(() => spec.getResult()).toThrow(FunctionNotFoundError);
    const unobserved = newAsyncFuncSpec('ghost', 'x', null);
    await cluster.callFunc(unobserved); // nobody awaits its failure: must not crash the process
    await expect(unobserved.done).rejects.toBeInstanceOf(NodeNotFoundError);
    await cluster.close();
  });

  it('a spec serves one call', async () => {
    const cluster = await started();
    cluster.registerFunc('f', () => 1);
    const spec = newFuncSpec('solo', 'f', null);
    await cluster.callFunc(spec);
    await expect(cluster.callFunc(spec)).rejects.toMatchObject({ code: 'ERR_CLUSTER_FUNCSPEC_USED' });
    await cluster.close();
  });

  it('refuses calls before startUp and after close, and rejects calls in flight at close', async () => {
    const cluster = createCluster({ mode: 'single', nodeName: 'solo', logger: false });
    cluster.registerFunc('hang', () => new Promise(() => undefined));
    await expect(cluster.callFunc(newFuncSpec('solo', 'hang', null))).rejects.toBeInstanceOf(NotReadyError);
    await cluster.startUp();
    const inFlight = cluster.callFunc(newFuncSpec('solo', 'hang', null, 60_000));
    await new Promise((r) => setImmediate(r));
    await cluster.close();
    await expect(inFlight).rejects.toBeInstanceOf(ShuttingDownError);
    await expect(cluster.callFunc(newFuncSpec('solo', 'hang', null))).rejects.toBeInstanceOf(ShuttingDownError);
  });

  it('rejects duplicate and malformed registrations with a clear message', async () => {
    const cluster = await started();
    cluster.registerFunc('once', () => 1);
    expect(() => cluster.registerFunc('once', () => 2)).toThrow(/"once" is already registered/);
    expect(() => cluster.registerFunc('bad name!', () => 2)).toThrow(/invalid/);
    expect(() => cluster.registerFunc('x', 'nope' as never)).toThrow(/must be a function/);
    expect(cluster.unregisterFunc('once')).toBe(true);
    cluster.registerFunc('once', () => 3);
    await cluster.close();
  });
});
