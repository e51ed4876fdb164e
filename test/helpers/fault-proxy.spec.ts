import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';
import { waitFor } from './wait-for.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function echoServer() {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  let closed = false;
  socket.on('data', (d) => received.push(d));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  cleanup.push(() => void socket.destroy());
  return { socket, text: () => Buffer.concat(received).toString(), closed: () => closed };
}

describe('FaultProxy (test helper)', () => {
  it('passes traffic, holds it back until healed, and resets connections on demand', async () => {
    const proxy = await FaultProxy.start({ host: '127.0.0.1', port: await echoServer() });
    cleanup.push(() => proxy.close());
    const c = client(proxy.port);
    c.socket.write('one');
    await waitFor(() => c.text() === 'one', { what: 'echo through the proxy' });

    proxy.setMode('hold');
    c.socket.write('late');
    await waitFor(() => proxy.heldBytes === 4, { what: 'the proxy to hold a message' });
    expect(c.text()).toBe('one');
    proxy.setMode('pass');
    c.socket.write('two');
    await waitFor(() => c.text().endsWith('two'), { what: 'echo after the partition healed' });
    expect(c.text()).toBe('onelatetwo');

    proxy.setMode('reset');
    await waitFor(() => c.closed(), { what: 'the reset' });
    const refused = client(proxy.port);
    await waitFor(() => refused.closed(), { what: 'a new connection to be refused' });
  });
});
