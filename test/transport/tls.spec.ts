import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfigError, type ViolationReason } from '../../lib/core/errors.js';
import type { NodeConfig } from '../../lib/core/node.js';
import { outcomeToResult } from '../../lib/core/rpc/call-dispatcher.js';
import { currentCallContext } from '../../lib/core/rpc/trace.js';
import { memoryLogger } from '../helpers/clusters.js';
import { makeTestCa, type NodeCert, type TestCa } from '../helpers/certs.js';
import { localNodes, makeNode, type TestNode, rpc } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

let good: TestCa;
let rogue: TestCa;
let nodes: NodeConfig[];
let a: TestNode;
let b: TestNode;
const bLog = memoryLogger();

/** A node of this cluster using `cert` (its own, by default) under `good`'s CA. */
function tlsNode(name: string, cert: NodeCert = good.nodes[name]!, ca: Buffer = good.ca, logger = memoryLogger()): TestNode {
  return makeNode(nodes.find((n) => n.name === name)!, nodes, {
    secret: undefined, tls: { ca, key: cert.key, cert: cert.cert }, functions: { whoCalls: () => currentCallContext()?.callerNode }, logger,
  });
}

beforeAll(async () => {
  good = makeTestCa('good', ['a', 'b', 'c', { cn: 'd' }]);
  rogue = makeTestCa('rogue', ['c']);
  nodes = await localNodes(['a', 'b', 'c', 'd']);
  a = tlsNode('a');
  b = tlsNode('b', undefined, undefined, bLog);
  await Promise.all([a.transport.start(), b.transport.start()]);
  await waitFor(() => a.transport.isAlive('b') && b.transport.isAlive('a'));
});
afterAll(() => Promise.all([a?.transport.close(), b?.transport.close()]));

const portOf = (name: string) => nodes.find((n) => n.name === name)!.port;
const countAt = (node: TestNode, reason: ViolationReason) => node.transport.stats().violations[reason] ?? 0;
const refused = () => countAt(b, 'tls-refused');

/** Opens a TLS connection to b with the given client options; resolves when b hangs up. */
async function tlsClientRefused(options: { key?: Buffer; cert?: Buffer }): Promise<void> {
  const before = refused();
  const socket = connect({ host: '127.0.0.1', port: portOf('b'), ca: good.ca, checkServerIdentity: () => undefined, ...options });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await waitFor(() => refused() === before + 1, { what: 'b to count a refused TLS client' });
}

/**
 * Starts `intruder` and expects it kept out both ways: b refuses its dial, and b refuses what
 * answers when b dials it (with `refusedBy: 'both'`, the intruder refuses b too).
 */
async function keptOut(intruder: TestNode, reason: ViolationReason, refusedBy: 'b' | 'both'): Promise<void> {
  const before = countAt(b, reason);
  await intruder.transport.start();
  try {
    const seen = () => (refusedBy === 'both' ? countAt(b, reason) > before && countAt(intruder, reason) > 0 : countAt(b, reason) >= before + 2);
    await waitFor(seen, { what: `"${reason}" counted` });
    expect(b.transport.isAlive('c')).toBe(false);
    expect(a.transport.isAlive('b')).toBe(true);
  } finally {
    await intruder.transport.close();
  }
}

describe('mutual TLS between nodes', () => {
  it('connects nodes whose certificates share the CA and name them, and carries calls attributed to the certified name', async () => {
    const outcome = await rpc(a.transport).call({ nodeName: 'b', funcName: 'whoCalls', param: null, timeoutMs: 5000 });
    expect(outcomeToResult(outcome, 'b', 'whoCalls')).toBe('a');
  });

  it('accepts a certificate that names the node by its CN only', async () => {
    const d = tlsNode('d');
    await d.transport.start();
    try {
      await waitFor(() => d.transport.isAlive('b') && b.transport.isAlive('d'));
    } finally {
      await d.transport.close();
    }
  });

  it('refuses a client without a certificate', () => tlsClientRefused({}));

  it('refuses a client whose certificate another CA signed', () => tlsClientRefused({ key: rogue.key, cert: rogue.cert }));

  it('refuses to start with tls but no ca, which would trust every public CA', async () => {
    const c = makeNode(nodes.find((n) => n.name === 'c')!, nodes, { secret: undefined, tls: { key: good.key, cert: good.cert } });
    await expect(c.transport.start()).rejects.toThrow(ClusterConfigError);
    await expect(c.transport.start()).rejects.toThrow(/`tls` is missing ca/);
  });

  it.each([[''], [null], [[]], [['']], [Buffer.alloc(0)]])('refuses to start with an empty tls.ca (%j), which Node reads as "public roots"', async (ca) => {
    const c = makeNode(nodes.find((n) => n.name === 'c')!, nodes, { secret: undefined, tls: { ca: ca as never, key: good.key, cert: good.cert } });
    await expect(c.transport.start()).rejects.toThrow(/`tls` is missing ca/);
  });

  it('keeps out a node with a certificate from another CA, either way', () => keptOut(tlsNode('c', rogue.nodes.c!, rogue.ca), 'tls-refused', 'both'));

  it('keeps out a node whose certificate names no node, either way, and names it in the log', async () => {
    await keptOut(tlsNode('c', { key: good.key, cert: good.cert }), 'identity-mismatch', 'b');
    expect(bLog.lines.some((l) => l.message.includes('identity-mismatch') && l.message.includes('"c"') && l.message.includes('"good-node"'))).toBe(true);
  });

  it("keeps out a node that presents another node's certificate, either way (issue #10 finding 5)", () =>
    keptOut(tlsNode('c', good.nodes.a!), 'identity-mismatch', 'b'));
});
