import { connect, createServer, type Socket } from 'node:net';
import { sharedNow } from '../support/clock.js';
import type { NodeReport, NodeSpec } from './node-messages.js';
import { answerCommands, report } from './node-ipc.js';

/**
 * The idle bench's floor: the frames an idle 5-node cluster of ours exchanges, over bare `net`
 * with nothing else (no sealing, no codec, no election, no timers beyond the two that send). The
 * first node of the list plays the leader: every heartbeat interval it writes an 86-byte frame to
 * each follower, which answers with a 94-byte one (the sizes of our sealed Heartbeat and its
 * answer). Each pair of followers keeps one connection, dialled by the name that sorts first,
 * whose dialler writes a 35-byte ping every keep-alive period (T/3), answered with 35 bytes.
 * Frames are a 4-byte length and a body; a reader only waits for whole frames.
 */
const spec = JSON.parse(process.env.BENCH_NODE ?? '{}') as NodeSpec;
const T = spec.electionTimeoutMs ?? 1000;
const heartbeatMs = spec.heartbeatIntervalMs ?? T / 10;
const keepAliveMs = Math.max(heartbeatMs / 2, T / 3);
const nodes = spec.nodes!;
const leader = nodes[0]!.name;
const me = spec.name;
const sockets = new Set<Socket>();
const timers: NodeJS.Timeout[] = [];

const frame = (bodyBytes: number) => {
  const out = Buffer.alloc(4 + bodyBytes, 0x5a);
  out.writeUInt32BE(bodyBytes, 0);
  return out;
};
const HEARTBEAT = frame(82);
const ANSWER = frame(90);
const PING = frame(31);

/** Calls `onFrame` with each whole frame's body length as the frame arrives on `socket`. */
function frames(socket: Socket, onFrame: (bodyBytes: number) => void): void {
  sockets.add(socket);
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
      const bodyBytes = buffered.readUInt32BE(0);
      buffered = buffered.subarray(4 + bodyBytes);
      onFrame(bodyBytes);
    }
  });
}

function dial(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => resolve(socket));
    socket.once('error', reject);
  });
}

// Accepted connections: a heartbeat is answered, a ping gets a pong of its size.
const server = createServer((socket) => frames(socket, (bodyBytes) => socket.write(bodyBytes === HEARTBEAT.length - 4 ? ANSWER : PING)));
const self = nodes.find((n) => n.name === me)!;
await new Promise<void>((resolve) => server.listen(self.port, self.ip, resolve));
process.send?.({ type: 'started', at: sharedNow() } satisfies NodeReport);

const others = nodes.filter((n) => n.name !== me);
const dialled: Socket[] = [];
// Peers listen once their processes have started; the parent starts them all at once.
for (const peer of me === leader ? others : others.filter((n) => n.name !== leader && me < n.name)) {
  for (;;) {
    try {
      const socket = await dial(peer.port, peer.ip);
      frames(socket, () => undefined);
      dialled.push(socket);
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
if (me === leader) {
  timers.push(setInterval(() => dialled.forEach((s) => s.write(HEARTBEAT)), heartbeatMs));
  report({ type: 'event', event: 'SignMaster', term: 1, leader: me, at: sharedNow() });
} else {
  if (dialled.length > 0) timers.push(setInterval(() => dialled.forEach((s) => s.write(PING)), keepAliveMs));
  report({ type: 'event', event: 'SignFollower', term: 1, leader, at: sharedNow() });
}

function close(): void {
  for (const timer of timers) clearInterval(timer);
  for (const socket of sockets) socket.destroy();
  server.close();
  if (process.connected) process.disconnect();
  process.exit(0);
}
process.on('SIGTERM', close);
process.on('disconnect', close);
answerCommands(close);
