import { afterEach, describe, expect, it } from 'vitest';
import { clusterIdentity } from '../../lib/core/transport/protocol.js';
import { handshakeAs, impostor, localNodes, makeNode, rawClient, rpc, SECRET, startMesh } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

let mesh: Awaited<ReturnType<typeof startMesh>> | undefined;
afterEach(async () => {
  await mesh?.close();
  mesh = undefined;
});

const QUICK = { electionTimeoutMs: 400, heartbeatIntervalMs: 50 };

describe('connection liveness', () => {
  it('drops a peer silent for longer than the election timeout, while pings keep a quiet link alive', async () => {
    mesh = await startMesh(['a', 'b'], QUICK, ['c']);
    const a = mesh.mesh.get('a')!.transport;
    const b = mesh.mesh.get('b')!.transport;
    const silent = await rawClient(mesh.nodes[0]!.port);
    await handshakeAs(silent, impostor('c', 'a', clusterIdentity(mesh.nodes), SECRET));
    await waitFor(() => a.isAlive('c'), { what: 'the silent peer to count as alive after its handshake' });
    await silent.closed;
    expect(a.stats().connections.idleDropped).toBe(1);
    expect(a.isAlive('c')).toBe(false);
    expect(silent.received.some((m) => (m as { type: string }).type === 'ping')).toBe(true);
    // a and b exchanged nothing but keep-alives all along.
    expect(a.isAlive('b') && b.isAlive('a')).toBe(true);
    expect(b.stats().connections.idleDropped).toBe(0);
  });

  it('settles each pair on the connection dialled by the name that sorts first, and retires the other (issue #15)', async () => {
    mesh = await startMesh(['a', 'b'], { functions: { whoami: (_p, ctx) => ctx.callerNode } });
    const a = mesh.mesh.get('a')!.transport;
    const b = mesh.mesh.get('b')!.transport;
    let failedDials = 0;
    await waitFor(() => {
      const { retired, dialFailures } = b.stats().connections;
      if (retired === 0) failedDials = dialFailures;
      return retired === 1;
    }, { what: 'b to retire the connection it dialled' });
    expect(a.stats().peers.b).toMatchObject({ alive: true, outbound: true, inbound: false });
    expect(b.stats().peers.a).toMatchObject({ alive: true, outbound: false, inbound: true });
    const dialled = b.stats().connections.dialled;
    // Both ways over the one connection a dialled; b neither dials again nor loses a request.
    for (let i = 0; i < 5; i++) {
      await expect(rpc(b).call({ nodeName: 'a', funcName: 'whoami', param: null, timeoutMs: 5000 })).resolves.toMatchObject({ value: 'b' });
      await expect(rpc(a).call({ nodeName: 'b', funcName: 'whoami', param: null, timeoutMs: 5000 })).resolves.toMatchObject({ value: 'a' });
    }
    // A retired link is no failed dial: it neither backs off nor counts toward a duplicate warning.
    expect(b.stats().connections).toMatchObject({ dialled, retired: 1, dialFailures: failedDials });
    expect(a.stats().connections).toMatchObject({ retired: 0, idleDropped: 0 });
    expect(b.stats().peers.a).toMatchObject({ outbound: false, inbound: true });
  });

  it('replaces an inbound connection when the same node connects again', async () => {
    mesh = await startMesh(['a', 'b'], {}, ['c']);
    const a = mesh.mesh.get('a')!.transport;
    const first = await rawClient(mesh.nodes[0]!.port);
    await handshakeAs(first, impostor('c', 'a', clusterIdentity(mesh.nodes), SECRET));
    const second = await rawClient(mesh.nodes[0]!.port);
    await handshakeAs(second, impostor('c', 'a', clusterIdentity(mesh.nodes), SECRET));
    await first.closed;
    expect(a.stats().connections.replaced).toBe(1);
    expect(second.socket.destroyed).toBe(false);
    expect(a.isAlive('c')).toBe(true);
    second.socket.destroy();
  });

  it('reports peers alive on connect and lost when they go', async () => {
    mesh = await startMesh(['a', 'b', 'c']);
    const changes: [string, boolean][] = [];
    const a = mesh.mesh.get('a')!;
    a.transport.onPeerChange((peer, alive) => changes.push([peer, alive]));
    await mesh.mesh.get('c')!.transport.close();
    await waitFor(() => changes.some(([peer, alive]) => peer === 'c' && !alive));
    await waitFor(() => a.lost.includes('c'));
    expect(a.transport.alivePeers()).toEqual(['b']);
    expect(a.transport.stats().peers).toMatchObject({ b: { alive: true }, c: { alive: false, outbound: false, inbound: false } });
  });

  it('signals the loss of a peer it only reached through the connection the peer dialled', async () => {
    const nodes = await localNodes(['a', 'b']);
    // a dials b before b listens, and then backs off for 30 s: a has only b's connection.
    const a = makeNode(nodes[0]!, nodes, { redialBaseMs: 60_000, redialMaxMs: 60_000 });
    const b = makeNode(nodes[1]!, nodes);
    try {
      await a.transport.start();
      await waitFor(() => a.transport.stats().connections.dialFailures === 1);
      await b.transport.start();
      await waitFor(() => a.transport.isAlive('b'));
      expect(a.transport.stats().peers.b).toMatchObject({ outbound: false, inbound: true });
      await b.transport.close();
      await waitFor(() => a.lost.includes('b'), { what: 'onPeerLost("b") from the inbound connection alone' });
    } finally {
      await Promise.all([a.transport.close(), b.transport.close()]);
    }
  });

  it('closes the oldest connection in its handshake when one more than the limit arrives, and serves peers throughout', async () => {
    mesh = await startMesh(['a', 'b'], { maxPendingHandshakes: 3 });
    const a = mesh.mesh.get('a')!.transport;
    const idle = [];
    for (let i = 0; i < 3; i++) idle.push(await rawClient(mesh.nodes[0]!.port));
    const extra = await rawClient(mesh.nodes[0]!.port);
    await idle[0]!.closed;
    expect(a.stats().violations).toEqual({ 'too-many-handshakes': 1 });
    expect([...idle.slice(1), extra].every((c) => !c.socket.destroyed)).toBe(true);
    expect(a.send('b', 'still talking')).toBe(true);
    for (const c of [...idle, extra]) c.socket.destroy();
  });

  it('sends election messages both ways, and send() says false when no link is up', async () => {
    mesh = await startMesh(['a', 'b'], {}, ['c']);
    const got: unknown[] = [];
    mesh.mesh.get('a')!.transport.onMessage((from, payload) => got.push({ from, payload }));
    mesh.mesh.get('a')!.transport.onMessage(() => {
      throw new Error('a buggy handler must not break the link');
    });
    expect(mesh.mesh.get('b')!.transport.send('a', { vote: 1n })).toBe(true);
    expect(mesh.mesh.get('b')!.transport.send('a', { vote: 2n })).toBe(true);
    await waitFor(() => got.length === 2);
    expect(got).toEqual([{ from: 'b', payload: { vote: 1n } }, { from: 'b', payload: { vote: 2n } }]);
    expect(mesh.mesh.get('b')!.transport.send('c', { vote: 3 })).toBe(false);
    expect(mesh.mesh.get('b')!.transport.send('a', Buffer.alloc(2 * 1024 * 1024))).toBe(false);
    expect(mesh.mesh.get('a')!.transport.isAlive('b')).toBe(true);
  });
});
