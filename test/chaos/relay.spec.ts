import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { Relay } from './relay.js';

// The chaos relay on 127.0.0.1, port 0 everywhere: a client dials the relay, the relay dials a
// server. Times are only checked as "not before the delay"; every wait is for a state.

const HOST = '127.0.0.1';
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(server: Server): Promise<number> {
  server.listen(0, HOST);
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

/** A server whose accepted sockets the test gets, and a relay in front of it. */
async function relayed(highWaterBytes?: number) {
  const accepted: Socket[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    accepted.push(s);
    closers.push(() => s.destroy());
  });
  const port = await listen(server);
  const relay = new Relay({ listenHost: HOST, targets: [{ name: 'server', host: HOST, port, listenPort: 0 }], now: () => performance.now(), random: Math.random, highWaterBytes });
  await relay.listen();
  closers.push(() => relay.close());
  const dial = async () => {
    const client = connect({ host: HOST, port: relay.portOf('server'), allowHalfOpen: true });
    client.on('error', () => undefined);
    closers.push(() => client.destroy());
    await once(client, 'connect');
    await waitFor(() => accepted.length > 0, { what: 'the relay to dial the server' });
    return { client, server: accepted.shift()! };
  };
  return { relay, dial };
}

/** Everything a socket receives, with the time each chunk came and whether it ended or errored. */
function record(socket: Socket) {
  const r = { chunks: [] as { at: number; bytes: Buffer }[], ended: false, error: undefined as string | undefined, closed: false };
  socket.on('data', (bytes: Buffer) => r.chunks.push({ at: performance.now(), bytes }));
  socket.on('end', () => (r.ended = true));
  socket.on('error', (e: NodeJS.ErrnoException) => (r.error = e.code));
  socket.on('close', () => (r.closed = true));
  return { r, text: () => Buffer.concat(r.chunks.map((c) => c.bytes)).toString(), size: () => r.chunks.reduce((n, c) => n + c.bytes.length, 0) };
}

describe('chaos relay', () => {
  it('delays a connection that was open before the delay was set, keeping every byte in order and none arriving before its delay', async () => {
    const { relay, dial } = await relayed();
    const { client, server } = await dial();
    const got = record(server);
    client.write('hello;');
    await waitFor(() => got.text() === 'hello;', { what: 'the undelayed greeting' });

    const baseMs = 40;
    relay.setDelay('server', 'up', { baseMs, jitterMs: 40 });
    const sent: { end: number; at: number }[] = [];
    let expected = 'hello;';
    for (let i = 0; i < 50; i++) {
      const message = `m${i};`;
      client.write(message);
      expected += message;
      sent.push({ end: Buffer.byteLength(expected), at: performance.now() });
      if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve)); // separate chunks
    }
    await waitFor(() => got.size() === Buffer.byteLength(expected), { what: 'every message through the delay' });
    expect(got.text()).toBe(expected);
    // The chunk holding a message's last byte came no earlier than the message's delay allows.
    let offset = 0;
    const arrivals = got.r.chunks.map((c) => ({ end: (offset += c.bytes.length), at: c.at }));
    for (const s of sent) expect(arrivals.find((a) => a.end >= s.end)!.at).toBeGreaterThanOrEqual(s.at + baseMs);
    const stats = relay.heal();
    expect(stats).toHaveLength(1);
    expect(stats[0]!.minMs).toBeGreaterThanOrEqual(baseMs);
  });

  it('measures a delay only on the chunks that arrived under it', async () => {
    const { relay, dial } = await relayed();
    const { client, server } = await dial();
    const got = record(server);
    relay.setDelay('server', 'up', { baseMs: 100, jitterMs: 0 });
    client.write('a');
    await waitFor(() => relay.pending === 1, { what: "'a' held in the relay" });
    relay.heal();
    client.write('b'); // undelayed, but behind 'a' in the stream
    await waitFor(() => relay.pending === 2, { what: "'b' held behind 'a'" });
    relay.setDelay('server', 'up', { baseMs: 300, jitterMs: 0 });
    await waitFor(() => got.text() === 'ab', { what: 'both chunks' });
    const [stats] = relay.heal();
    expect(stats!.chunks).toBe(0);
  });

  it('passes half-closes on both ways, each after the data before it', async () => {
    const { relay, dial } = await relayed();
    relay.setDelay('server', 'up', { baseMs: 20, jitterMs: 20 });
    relay.setDelay('server', 'down', { baseMs: 20, jitterMs: 20 });
    const { client, server } = await dial();
    const atServer = record(server);
    const atClient = record(client);
    client.end('ping');
    await waitFor(() => atServer.r.ended, { what: "the client's FIN at the server" });
    expect(atServer.text()).toBe('ping');
    expect(atClient.r.ended).toBe(false);
    server.end('pong');
    await waitFor(() => atClient.r.ended && atClient.r.closed && atServer.r.closed, { what: "the server's FIN at the client, and both closed" });
    expect(atClient.text()).toBe('pong');
    expect([atClient.r.error, atServer.r.error]).toEqual([undefined, undefined]);
  });

  it('passes a reset on as a reset, either way', async () => {
    const { dial } = await relayed();
    const one = await dial();
    const atClient = record(one.client);
    one.server.resetAndDestroy();
    await waitFor(() => atClient.r.closed, { what: 'the reset at the client' });
    expect(atClient.r.error).toBe('ECONNRESET');

    const two = await dial();
    const atServer = record(two.server);
    two.client.resetAndDestroy();
    await waitFor(() => atServer.r.closed, { what: 'the reset at the server' });
    expect(atServer.r.error).toBe('ECONNRESET');
  });

  it('resets the accepted connection before it says a word when nothing listens behind it', async () => {
    const probe = createServer();
    const deadPort = await listen(probe);
    await new Promise((resolve) => probe.close(resolve));
    const relay = new Relay({ listenHost: HOST, targets: [{ name: 'gone', host: HOST, port: deadPort, listenPort: 0 }], now: () => performance.now(), random: Math.random });
    await relay.listen();
    closers.push(() => relay.close());
    const client = connect({ host: HOST, port: relay.portOf('gone') });
    const at = record(client);
    await waitFor(() => at.r.closed, { what: 'the relayed refusal' });
    expect(at.r.error).toBe('ECONNRESET');
    expect(at.size()).toBe(0);
  });

  it('pauses a source whose destination does not read, and loses nothing when it reads again', async () => {
    const highWaterBytes = 64 * 1024;
    const { relay, dial } = await relayed(highWaterBytes);
    const { client, server } = await dial();
    server.pause();
    const payload = Buffer.alloc(16 * 1024 * 1024, 7);
    for (let i = 0; i < payload.length; i += 4096) payload[i] = i % 251;
    client.end(payload);
    await waitFor(() => relay.pressure.pauses > 0, { what: 'the relay to pause the client' });
    const got = record(server);
    server.resume();
    await waitFor(() => got.r.ended, { what: 'the whole payload' });
    expect(Buffer.concat(got.r.chunks.map((c) => c.bytes)).equals(payload)).toBe(true);
    // Queued in the relay: up to the high-water mark, the read that crossed it, and the socket's own buffer.
    expect(relay.pressure.peakQueuedBytes).toBeLessThanOrEqual(highWaterBytes + 2 * 64 * 1024);
  });
});
