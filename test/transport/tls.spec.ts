import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterConfigError } from '../../lib/core/errors.js';
import { outcomeToResult } from '../../lib/core/rpc/call-dispatcher.js';
import { makeTestCa, type TestCa } from '../helpers/certs.js';
import { makeNode, startMesh } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

let good: TestCa;
let rogue: TestCa;
let mesh: Awaited<ReturnType<typeof startMesh>>;

beforeAll(async () => {
  good = makeTestCa('good');
  rogue = makeTestCa('rogue');
  mesh = await startMesh(
    ['a', 'b'],
    { secret: undefined, tls: { ca: good.ca, key: good.key, cert: good.cert }, functions: { echo: (p: unknown) => p } },
    ['c'],
  );
});
afterAll(() => mesh?.close());

const portOf = (name: string) => mesh.nodes.find((n) => n.name === name)!.port;
const refused = () => mesh.mesh.get('b')!.transport.stats().violations['tls-refused'] ?? 0;

/** Opens a TLS connection to b with the given client options; resolves when b hangs up. */
async function tlsClientRefused(options: { key?: Buffer; cert?: Buffer }): Promise<void> {
  const before = refused();
  const socket = connect({ host: '127.0.0.1', port: portOf('b'), ca: good.ca, checkServerIdentity: () => undefined, ...options });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await waitFor(() => refused() === before + 1, { what: 'b to count a refused TLS client' });
}

describe('mutual TLS between nodes', () => {
  it('connects nodes whose certificates share the CA, and carries calls', async () => {
    const outcome = await mesh.mesh.get('a')!.transport.call('b', 'echo', 'over tls', undefined, 5000);
    expect(outcomeToResult(outcome, 'b', 'echo')).toBe('over tls');
  });

  it('refuses a client without a certificate', () => tlsClientRefused({}));

  it('refuses a client whose certificate another CA signed', () => tlsClientRefused({ key: rogue.key, cert: rogue.cert }));

  it('refuses to start with tls but no ca, which would trust every public CA', async () => {
    const c = makeNode(mesh.nodes.find((n) => n.name === 'c')!, mesh.nodes, { secret: undefined, tls: { key: good.key, cert: good.cert } });
    await expect(c.transport.start()).rejects.toThrow(ClusterConfigError);
    await expect(c.transport.start()).rejects.toThrow(/`tls` is missing ca/);
  });

  it.each([[''], [null], [[]], [['']], [Buffer.alloc(0)]])('refuses to start with an empty tls.ca (%j), which Node reads as "public roots"', async (ca) => {
    const c = makeNode(mesh.nodes.find((n) => n.name === 'c')!, mesh.nodes, { secret: undefined, tls: { ca: ca as never, key: good.key, cert: good.cert } });
    await expect(c.transport.start()).rejects.toThrow(/`tls` is missing ca/);
  });

  it('keeps out a node with a certificate from another CA, either way', async () => {
    const c = makeNode(mesh.nodes.find((n) => n.name === 'c')!, mesh.nodes, {
      secret: undefined,
      tls: { ca: rogue.ca, key: rogue.key, cert: rogue.cert },
    });
    const before = refused();
    await c.transport.start();
    try {
      await waitFor(() => refused() > before && (c.transport.stats().violations['tls-refused'] ?? 0) > 0);
      expect(c.transport.alivePeers()).toEqual([]);
      expect(mesh.mesh.get('a')!.transport.isAlive('b')).toBe(true);
    } finally {
      await c.transport.close();
    }
  });
});
