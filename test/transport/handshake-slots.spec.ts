import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCa } from '../helpers/certs.js';
import { localNodes, makeNode, type TestNode } from '../helpers/transports.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Issue #10 finding 7: strangers holding every pending-handshake slot kept real peers out. The
 * attacker here connects from 127.0.0.2 (another address on the loopback network) and reopens
 * every connection that is closed, so the slots stay full for as long as the test runs.
 */
const LIMIT = 8;
let flood: { stop(): void; sockets: Set<Socket>; opened: number } | undefined;
let nodes: TestNode[] = [];

afterEach(async () => {
  flood?.stop();
  flood = undefined;
  await Promise.all(nodes.map((n) => n.transport.close()));
  nodes = [];
});

function startFlood(port: number, connections: number) {
  const sockets = new Set<Socket>();
  let running = true;
  const state = { sockets, opened: 0, stop: () => {
    running = false;
    for (const s of sockets) s.destroy();
  } };
  const open = () => {
    if (!running) return;
    state.opened++;
    const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (running && state.opened < 5000) setImmediate(open);
    });
  };
  for (let i = 0; i < connections; i++) open();
  return state;
}

describe('pending-handshake slots under a connection flood', () => {
  it('lets a cold-started peer join while strangers keep every slot busy', async () => {
    const config = await localNodes(['a', 'b']);
    const options = { maxPendingHandshakes: LIMIT, handshakeTimeoutMs: 60_000 };
    const a = makeNode(config[0]!, config, options);
    nodes.push(a);
    await a.transport.start();
    flood = startFlood(config[0]!.port, 4 * LIMIT);
    await waitFor(() => (a.transport.stats().violations['too-many-handshakes'] ?? 0) >= 3 * LIMIT, { what: 'the slots to fill' });
    const b = makeNode(config[1]!, config, options);
    nodes.push(b);
    await b.transport.start();
    // b's own connection into a, not only a's into b: the flooded listener let it in.
    await waitFor(() => a.transport.stats().peers.b!.inbound && b.transport.isAlive('a'), { what: "b's connection into a" });
    expect(flood.opened).toBeGreaterThan(4 * LIMIT);
  });

  it('counts TLS sockets that never start TLS from the moment they are accepted', async () => {
    const ca = makeTestCa('slots');
    const config = await localNodes(['a', 'b']);
    const a = makeNode(config[0]!, config, {
      maxPendingHandshakes: LIMIT, handshakeTimeoutMs: 60_000, secret: undefined, tls: { ca: ca.ca, key: ca.key, cert: ca.cert },
    });
    nodes.push(a);
    await a.transport.start();
    const held: Socket[] = [];
    for (let i = 0; i < 5 * LIMIT; i++) {
      const socket = connect({ host: '127.0.0.1', port: config[0]!.port, localAddress: '127.0.0.2' });
      socket.on('error', () => undefined);
      held.push(socket);
    }
    await waitFor(() => held.filter((s) => s.closed).length >= 4 * LIMIT, { what: 'all but the newest sockets to be closed' });
    expect(held.filter((s) => !s.closed).length).toBeLessThanOrEqual(LIMIT);
    for (const s of held) s.destroy();
  });
});
