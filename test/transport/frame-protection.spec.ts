import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationReason } from '../../lib/core/errors.js';
import { encodeFrame } from '../../lib/core/transport/frame-codec.js';
import { FrameProxy, type Tamper, type Way } from '../helpers/frame-proxy.js';
import { localNodes, makeNode, type TestNode, rpc } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue #10 finding 6: a dials b through an on-path proxy that relays the real handshake and then
 * tampers with one frame. In secret mode every such frame fails to open: the link is dropped and
 * counted, no injected call runs, and a's next dial through the same proxy brings the link back.
 */
let a: TestNode;
let b: TestNode;
let proxy: FrameProxy;
const recorded: unknown[] = [];

beforeAll(async () => {
  const nodes = await localNodes(['a', 'b']);
  const functions = { echo: (p: unknown) => p, record: (p: unknown) => void recorded.push(p) };
  proxy = await FrameProxy.start({ host: '127.0.0.1', port: nodes[1]!.port });
  a = makeNode(nodes[0]!, nodes, { functions, dialAddress: (peer) => (peer.name === 'b' ? proxy.address : { host: peer.ip, port: peer.port }) });
  b = makeNode(nodes[1]!, nodes, { functions });
  await Promise.all([a.transport.start(), b.transport.start()]);
  await waitFor(() => a.transport.stats().peers.b!.outbound && b.transport.isAlive('a'), { what: 'a linked to b through the proxy' });
});
afterAll(async () => {
  await Promise.all([a?.transport.close(), b?.transport.close()]);
  await proxy?.close();
});

const failures = (node: TestNode, reason: ViolationReason = 'frame-auth-failed') => node.transport.stats().violations[reason] ?? 0;

/** Tampers with the next frame going `way`, drives traffic until the victim drops the link, then waits for recovery. */
async function expectDetected(way: Way, tamper: Tamper): Promise<void> {
  const victim = way === 'to-target' ? b : a;
  const before = failures(victim);
  const connectionsBefore = proxy.connections;
  proxy.tamperNext(way, tamper);
  await waitFor(async () => {
    await rpc(a.transport).call({ nodeName: 'b', funcName: 'echo', param: 'traffic', timeoutMs: 500 }).catch(() => undefined);
    return failures(victim) > before;
  }, { what: `the ${tamper.kind} to be detected` });
  expect(failures(victim)).toBe(before + 1);
  await waitFor(() => proxy.connections > connectionsBefore && a.transport.stats().peers.b!.outbound, { what: 'a to dial b again through the proxy' });
  const outcome = await rpc(a.transport).call({ nodeName: 'b', funcName: 'echo', param: 'recovered', timeoutMs: 5000 });
  expect(outcome).toEqual({ status: 'ok', value: 'recovered' });
}

describe('per-frame protection in secret mode, against an on-path proxy after a real handshake', () => {
  it('detects a flipped bit', () => expectDetected('to-target', { kind: 'flip' }));

  it('detects a dropped frame', () => expectDetected('to-target', { kind: 'drop' }));

  it('detects a duplicated (replayed) frame', () => expectDetected('to-target', { kind: 'duplicate' }));

  it('detects reordered frames', () => expectDetected('to-target', { kind: 'reorder' }));

  it('detects tampering on the way back too', () => expectDetected('to-client', { kind: 'flip' }));

  it('never runs an injected call, and drops the link', async () => {
    const forged = encodeFrame({ type: 'request', id: 999_999, timeoutMs: 1000, body: { funcName: 'record', param: 'injected', traceId: null } });
    await expectDetected('to-target', { kind: 'inject', frame: forged });
    expect(recorded).not.toContain('injected');
  });

  it('never adopts an injected election message', async () => {
    const heard: unknown[] = [];
    b.transport.onMessage((from, payload) => heard.push({ from, payload }));
    const forged = encodeFrame({ type: 'raft', payload: { type: 'Heartbeat', from: 'a', to: 'b', term: 1002, round: 1 } });
    await expectDetected('to-target', { kind: 'inject', frame: forged });
    expect(heard).toEqual([]);
  });
});
