import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterIdentity } from '../../lib/core/transport/protocol.js';
import { memoryLogger } from '../helpers/clusters.js';
import { makeNode, rawClient, startMesh, type TestNode } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue #12: a node whose secret (or version, or node list) differs from its peers' is told so by
 * them, and both sides say in their logs who, at which address, and what to fix; no such node ever
 * counts as alive. n1 and n2 run with the secret; n3 is configured and started by each test.
 */
let mesh: Awaited<ReturnType<typeof startMesh>>;
let n1: TestNode;
const n1Log = memoryLogger();

beforeAll(async () => {
  mesh = await startMesh(['n1', 'n2'], { logger: n1Log }, ['n3']);
  n1 = mesh.mesh.get('n1')!;
});
afterAll(() => mesh.close());

const config = (name: string) => mesh.nodes.find((n) => n.name === name)!;
const warnings = (log: ReturnType<typeof memoryLogger>, text: string) => log.lines.filter((l) => l.level === 'warn' && l.message.includes(text));

async function withN3(secret: string | undefined, check: (n3: TestNode, log: ReturnType<typeof memoryLogger>) => Promise<void>) {
  const log = memoryLogger();
  const n3 = makeNode(config('n3'), mesh.nodes, { secret, logger: log });
  const linesBefore = n1Log.lines.length;
  await n3.transport.start();
  try {
    await check(n3, log);
  } finally {
    await n3.transport.close();
    n1Log.lines.splice(linesBefore);
  }
}

describe('a peer refused in the handshake is told why, and both sides log it', () => {
  it('a node started without the secret: named on both sides, never alive', () =>
    withN3(undefined, async (n3, log) => {
      const n1Port = config('n1').port;
      await waitFor(() => warnings(log, `was refused by "n1" at 127.0.0.1:${n1Port} (auth-failed)`).length > 0, {
        what: 'n3 to log that n1 refused it',
      });
      await waitFor(() => warnings(n1Log, 'Node "n3" runs without a secret, this node with one').length > 0, {
        what: 'n1 to log the node without a secret, by name',
      });
      expect(warnings(n1Log, 'runs without a secret')[0]!.message).toMatch(/from 127\.0\.0\.1:\d+ \(auth-failed\)/);
      // n1 dialled n3 too: n3 refused it, saying n1 has a secret it lacks.
      await waitFor(() => warnings(log, 'Node "n1" runs with a secret, this node without one').length > 0);
      expect(n3.transport.stats().connections.refused).toBeGreaterThan(0);
      expect(n3.transport.alivePeers()).toEqual([]);
      expect(n1.transport.isAlive('n3')).toBe(false);
    }));

  it('a node with another secret: refused by its peers, which it names with their address', () =>
    withN3('another secret, just as long', async (n3, log) => {
      await waitFor(() => warnings(log, 'was refused by "n2"').length > 0, { what: 'n3 to log that n2 refused it' });
      expect(warnings(log, 'was refused by "n2"')[0]!.message).toContain('the secrets differ; set the same `secret` on every node');
      expect(n3.transport.alivePeers()).toEqual([]);
    }));

  it('repeated refusals are counted every time but logged once per interval', () =>
    withN3(undefined, async (n3, log) => {
      await waitFor(
        () => n3.transport.stats().connections.refused >= 6 && ['n1', 'n2'].every((p) => warnings(log, `was refused by "${p}"`).length > 0),
        { what: 'n3 to be refused six times, by both peers' },
      );
      expect(warnings(log, 'was refused by "n1"').length).toBe(1);
      expect(warnings(log, 'was refused by "n2"').length).toBe(1);
    }));

  it('a stranger speaking another protocol version receives the reason before the close', async () => {
    const client = await rawClient(config('n1').port);
    client.sendMessage({ type: 'hello', version: 999, cluster: clusterIdentity(mesh.nodes), node: 'n3', nonce: randomBytes(32) });
    await client.closed;
    expect(client.received).toEqual([{ type: 'refuse', reason: 'version-mismatch' }]);
  });

  it('garbage gets no answer, only the close', async () => {
    const client = await rawClient(config('n1').port);
    client.socket.write(Buffer.from([0, 0, 0, 2, 0x92, 1]));
    await client.closed;
    expect(client.received).toEqual([]);
  });
});
