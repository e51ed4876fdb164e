import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FunctionNotFoundError,
  NodeNotFoundError,
  NodeUnavailableError,
  RemoteFunctionError,
  ShuttingDownError,
  TimeoutError,
} from '../../lib/core/errors.js';
import { newAsyncFuncSpec, newFuncSpec } from '../../lib/core/rpc/func-spec.js';
import { currentTraceId } from '../../lib/core/rpc/trace.js';
import { RaftCluster } from '../helpers/raft-cluster.js';
import { waitFor } from '../helpers/wait-for.js';

let group: RaftCluster;

beforeAll(async () => {
  group = await RaftCluster.start(['c1', 'c2', 'c3']);
  for (const [name, cluster] of group.clusters) {
    cluster.registerFunc('whoami', () => name);
    cluster.registerFunc('echo', (value: unknown) => value);
    cluster.registerFunc('trace', () => currentTraceId());
    cluster.registerFunc('fail', () => {
      throw Object.assign(new TypeError(`bad input on ${name}`), { code: 'E_BAD_INPUT' });
    });
    cluster.registerFunc('slow', (ms: number, { signal }) => new Promise((resolve) => {
      const timer = setTimeout(() => resolve(`slept ${ms}`), ms);
      signal.addEventListener('abort', () => clearTimeout(timer));
    }));
  }
  await group.settled();
  await waitFor(() => [...group.clusters.values()].every((c) => c.getAliveNodeCount() === 3), { what: 'a full mesh' });
});

afterAll(async () => {
  await group.close();
});

describe('remote calls in cluster mode', () => {
  it('calls a function on another node and returns its result', async () => {
    const c1 = group.get('c1');
    await expect(c1.callFunc(newFuncSpec('c2', 'whoami', null))).resolves.toBe('c2');
    await expect(c1.callFunc(newFuncSpec('c1', 'whoami', null))).resolves.toBe('c1');
  });

  it('keeps structured types across the wire, equal to a local call', async () => {
    const value = { d: new Date(1_700_000_000_000), m: new Map([['k', new Set([1n, 2n])]]), b: Buffer.from([1, 2, 3]) };
    const c1 = group.get('c1');
    const remote = await c1.callFunc(newFuncSpec('c3', 'echo', value));
    const local = await c1.callFunc(newFuncSpec('c1', 'echo', value));
    expect(remote).toEqual(value);
    expect(remote).toEqual(local);
  });

  it('counts calls and connections in getStats()', async () => {
    const stats = group.get('c1').getStats();
    expect(stats.transport?.calls.sent).toBeGreaterThan(0);
    expect(stats.transport?.peers).toMatchObject({ c2: { alive: true }, c3: { alive: true } });
    expect(stats.transport?.violations).toEqual({});
  });

  it('carries the trace id to the callee', async () => {
    await expect(group.get('c2').callFunc(newFuncSpec('c3', 'trace', null).setTraceId('t-42'))).resolves.toBe('t-42');
  });

  it('async specs settle later through getResult() and done', async () => {
    const spec = newAsyncFuncSpec<string>('c2', 'slow', 20, 5000);
    await expect(group.get('c1').callFunc(spec)).resolves.toBeUndefined();
    expect(spec.getResult()).toBeUndefined();
    await expect(spec.done).resolves.toBe('slept 20');
    expect(spec.getResult()).toBe('slept 20');
  });

  it('raises every error class with the remote details intact', async () => {
    const c1 = group.get('c1');
    const failure = await c1.callFunc(newFuncSpec('c2', 'fail', null)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteFunctionError);
    expect(failure).toMatchObject({ nodeName: 'c2', remoteName: 'TypeError', remoteMessage: 'bad input on c2', remoteCode: 'E_BAD_INPUT' });
    await expect(c1.callFunc(newFuncSpec('c2', 'missing', null))).rejects.toBeInstanceOf(FunctionNotFoundError);
    await expect(c1.callFunc(newFuncSpec('c9', 'whoami', null))).rejects.toBeInstanceOf(NodeNotFoundError);
    await expect(c1.callFunc(newFuncSpec('c2', 'slow', 10_000, 50))).rejects.toBeInstanceOf(TimeoutError);
  });

  it('a slow call does not hold up other calls on the same connection', async () => {
    const c1 = group.get('c1');
    const slow = c1.callFunc(newFuncSpec('c2', 'slow', 2000, 10_000));
    const fast = await Promise.all(Array.from({ length: 32 }, (_, i) => c1.callFunc(newFuncSpec('c2', 'echo', i))));
    expect(fast).toEqual(Array.from({ length: 32 }, (_, i) => i));
    await expect(slow).resolves.toBe('slept 2000');
  });

  it('a call to a node that went away fails fast with NodeUnavailable, and calls in flight are rejected', async () => {
    const c1 = group.get('c1');
    const inFlight = c1.callFunc(newFuncSpec('c3', 'slow', 60_000, 120_000));
    inFlight.catch(() => undefined);
    await group.stop('c3');
    await expect(inFlight).rejects.toBeInstanceOf(NodeUnavailableError);
    await waitFor(() => !c1.getAliveNodeNames().includes('c3'), { what: 'c3 to be lost' });
    expect(c1.getLostNodeNames()).toEqual(['c3']);
    await expect(c1.callFunc(newFuncSpec('c3', 'whoami', null))).rejects.toBeInstanceOf(NodeUnavailableError);
  });

  it('a closing node rejects its own calls in flight with ShuttingDown', async () => {
    const c2 = group.get('c2');
    const inFlight = c2.callFunc(newFuncSpec('c1', 'slow', 60_000, 120_000));
    inFlight.catch(() => undefined);
    await group.stop('c2');
    await expect(inFlight).rejects.toBeInstanceOf(ShuttingDownError);
  });
});
