import { randomBytes } from 'node:crypto';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViolationReason } from '../../lib/core/errors.js';
import { outcomeToResult } from '../../lib/core/rpc/call-dispatcher.js';
import { Handshake } from '../../lib/core/transport/handshake.js';
import { clusterIdentity, PROTOCOL_VERSION } from '../../lib/core/transport/protocol.js';
import { memoryLogger } from '../helpers/clusters.js';
import { handshakeAs, impostor as makeImpostor, makeNode, rawClient, SECRET, startMesh, type TestNode, rpc } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * n1, n2 and n3 run; n4 is configured but never started, so an attacker can claim its name.
 * Every attack goes at n3's listener; n1 ↔ n2 must keep serving calls throughout.
 */
let mesh: Awaited<ReturnType<typeof startMesh>>;
let n1: TestNode;
let n3: TestNode;
const logger = memoryLogger();

beforeAll(async () => {
  mesh = await startMesh(['n1', 'n2', 'n3'], { functions: { echo: (p: unknown) => p }, handshakeTimeoutMs: 300, logger }, ['n4']);
  n1 = mesh.mesh.get('n1')!;
  n3 = mesh.mesh.get('n3')!;
});
afterAll(() => mesh.close());

const port = () => mesh.nodes.find((n) => n.name === 'n3')!.port;
const clusterId = () => clusterIdentity(mesh.nodes);
const count = (reason: ViolationReason) => n3.transport.stats().violations[reason] ?? 0;

/** Runs `attack` against n3 and checks that n3 hung up on it and counted `reason`, and nothing else broke. */
async function expectRefused(reason: ViolationReason, attack: (client: Awaited<ReturnType<typeof rawClient>>) => void | Promise<void>) {
  const before = count(reason);
  const client = await rawClient(port());
  await attack(client);
  await client.closed;
  await waitFor(() => count(reason) === before + 1, { what: `a "${reason}" violation on n3` });
  const outcome = await rpc(n1.transport).call({ nodeName: 'n2', funcName: 'echo', param: 'still here', timeoutMs: 5000 });
  expect(outcomeToResult(outcome, 'n2', 'echo')).toBe('still here');
  // On a loaded machine a link may be re-dialling at this instant; it must come back, not stay down.
  await waitFor(() => ['n1', 'n2'].every((peer) => n3.transport.isAlive(peer)), { what: 'n3 still linked to n1 and n2' });
}

/** A dialer claiming `name` towards n3. */
function impostor(name: string, overrides: { secret?: string; clusterId?: string } = {}) {
  return makeImpostor(name, 'n3', overrides.clusterId ?? clusterId(), 'secret' in overrides ? overrides.secret : SECRET);
}

describe('a transport under attack drops the offending connection, counts it, and carries on', () => {
  it('a wrong secret', () => expectRefused('auth-failed', (c) => handshakeAs(c, impostor('n4', { secret: 'not the secret!' }))));

  it('the right secret used as is, not stretched: a captured proof cannot be checked against cheap guesses', () =>
    expectRefused('auth-failed', (c) =>
      handshakeAs(c, new Handshake({
        role: 'dialer', selfName: 'n4', expectedPeer: 'n3', peers: new Set(['n3']), nonce: randomBytes(32), clusterId: clusterId(), secret: SECRET,
      }))));

  it('no secret at all', () => expectRefused('auth-failed', async (c) => {
    await handshakeAs(c, impostor('n4', { secret: undefined }));
    c.sendMessage({ type: 'ping' });
  }));

  it('a different cluster identity', () =>
    expectRefused('cluster-mismatch', (c) => handshakeAs(c, impostor('n4', { clusterId: clusterIdentity([...mesh.nodes, { name: 'n5', ip: '127.0.0.1', port: 1 }]) }))));

  it('a node name that is not configured', () => expectRefused('unknown-node', (c) => handshakeAs(c, impostor('mallory'))));

  it("the listener's own name", () => expectRefused('unknown-node', (c) => handshakeAs(c, impostor('n3'))));

  it('another protocol version', () =>
    expectRefused('version-mismatch', (c) => c.sendMessage({ type: 'hello', version: 999, cluster: clusterId(), node: 'n4', nonce: randomBytes(32) })));

  it('a 4 GiB length prefix', () => expectRefused('frame-too-large', (c) => void c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0]))));

  it('a frame over the handshake limit before the handshake', () =>
    expectRefused('frame-too-large', (c) => void c.socket.write(Buffer.from([0, 1, 0, 0]))));

  it('random bytes', () => expectRefused('frame-too-large', (c) => void c.socket.write(Buffer.concat([Buffer.from([0x7f]), randomBytes(512)]))));

  it('a frame whose body is not msgpack', () => expectRefused('malformed-frame', (c) => void c.socket.write(Buffer.from([0, 0, 0, 2, 0x92, 1]))));

  it('a shared-reference DAG bomb before the handshake (issue #10 finding 1)', () => expectRefused('malformed-frame', (c) => {
    let node: unknown = 'x';
    for (let i = 0; i < 22; i++) node = { l: node, r: node };
    const body = Buffer.concat([new Packr({ structuredClone: true }).pack(node), Buffer.from([0xc0])]);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length, 0);
    c.socket.write(Buffer.concat([header, body]));
  }));

  it('a msgpackr record definition before the handshake (issue #10 finding 2)', () =>
    expectRefused('malformed-frame', (c) => void c.socket.write(Buffer.from([0, 0, 0, 7, 0xd4, 0x72, 0x05, 0x91, 0xa1, 0x61, 0x01]))));

  it('a message of unknown type before the handshake', () => expectRefused('unknown-type', (c) => c.sendMessage({ type: 'gimme-shell' })));

  it('a session message before the handshake', () => expectRefused('unexpected-message', (c) => c.sendMessage({ type: 'request', id: 1, timeoutMs: 10 })));

  it('a message of unknown type after a good handshake', () => expectRefused('unknown-type', async (c) => {
    await handshakeAs(c, impostor('n4'));
    c.sendMessage({ type: 'gimme-shell' });
  }));

  it('a malformed request after a good handshake', () => expectRefused('malformed-message', async (c) => {
    await handshakeAs(c, impostor('n4'));
    c.sendMessage({ type: 'request', id: -1, timeoutMs: 100, body: { funcName: 'echo' } });
  }));

  it('a well-formed request whose call body is malformed (rpc/ refuses it; the transport counts it)', () =>
    expectRefused('malformed-message', async (c) => {
      await handshakeAs(c, impostor('n4'));
      c.sendMessage({ type: 'request', id: 1, timeoutMs: 100, body: { funcName: 42 } });
    }));

  it('a response whose call outcome is malformed', () => expectRefused('malformed-message', async (c) => {
    await handshakeAs(c, impostor('n4'));
    // n3 calls "n4" over the impostor's link (its only one to n4), and the impostor answers garbage.
    const call = rpc(n3.transport).call({ nodeName: 'n4', funcName: 'echo', param: 1, timeoutMs: 5000 });
    call.catch(() => undefined);
    await waitFor(() => c.received.some((m) => (m as { type?: string }).type === 'request'));
    const request = c.received.find((m) => (m as { type?: string }).type === 'request') as { id: number };
    c.sendMessage({ type: 'response', id: request.id, body: { status: 'maybe' } });
    await expect(call).rejects.toMatchObject({ code: 'ERR_CLUSTER_NODE_UNAVAILABLE' });
  }));

  it('a handshake that never finishes', () => expectRefused('handshake-timeout', () => undefined));

  it('a handshake that stops halfway', () => expectRefused('handshake-timeout', (c) => c.sendMessage({ type: 'hello', version: PROTOCOL_VERSION, cluster: clusterId(), node: 'n4', nonce: randomBytes(32), usesSecret: 1 })));

  it('logs a flood of bad connections in one line per reason, counting every one', async () => {
    const before = count('frame-too-large');
    const linesBefore = logger.lines.filter((l) => l.message.includes('frame-too-large')).length;
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawClient(port())));
    for (const c of clients) c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    await Promise.all(clients.map((c) => c.closed));
    await waitFor(() => count('frame-too-large') === before + 20);
    expect(logger.lines.filter((l) => l.message.includes('frame-too-large')).length - linesBefore).toBeLessThanOrEqual(1);
  });

  it('a real node with the wrong secret never gets in, either way', async () => {
    const n4 = makeNode(mesh.nodes.find((n) => n.name === 'n4')!, mesh.nodes, { secret: 'the wrong secret' });
    const before = count('auth-failed');
    await n4.transport.start();
    try {
      await waitFor(() => count('auth-failed') > before && (n4.transport.stats().violations['auth-failed'] ?? 0) > 0);
      expect(n4.transport.alivePeers()).toEqual([]);
      expect(n3.transport.isAlive('n4')).toBe(false);
    } finally {
      await n4.transport.close();
    }
  });

  it('a real node of another cluster never gets in', async () => {
    const self = mesh.nodes.find((n) => n.name === 'n4')!;
    const other = makeNode(self, [...mesh.nodes, { name: 'n5', ip: '127.0.0.1', port: 1 }]);
    const before = count('cluster-mismatch');
    await other.transport.start();
    try {
      await waitFor(() => count('cluster-mismatch') > before);
      expect(other.transport.alivePeers()).toEqual([]);
    } finally {
      await other.transport.close();
    }
  });
});
