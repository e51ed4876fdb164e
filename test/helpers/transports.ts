import { connect, type Socket } from 'node:net';
import { silentLogger, type ClusterLogger } from '../../lib/core/logger.js';
import type { NodeConfig } from '../../lib/core/node.js';
import { FuncRegistry, type ClusterFunctionHandler } from '../../lib/core/rpc/func-registry.js';
import { FunctionRunner } from '../../lib/core/rpc/function-runner.js';
import { CallClient } from '../../lib/core/rpc/call-client.js';
import { CallServer } from '../../lib/core/rpc/call-server.js';
import { randomBytes } from 'node:crypto';
import { encodeFrame, FrameDecoder } from '../../lib/core/transport/frame-codec.js';
import { Handshake } from '../../lib/core/transport/handshake.js';
import { secretKeySync } from '../../lib/core/transport/secret-key.js';
import { parseHandshakeFrame } from '../../lib/core/transport/handshake-decoding.js';
import { FrameProtection } from '../../lib/core/transport/frame-protection.js';
import { decode } from '../../lib/core/codec.js';
import { Transport, type TransportOptions } from '../../lib/core/transport/transport.js';
import { systemClock } from '../../lib/system-clock.js';
import { freePorts } from './ports.js';
import { waitFor } from './wait-for.js';

export const SECRET = 'a test secret, long enough';

/** Timings short enough for quick tests, long enough for a loaded CI machine. */
export const FAST = {
  electionTimeoutMs: 1000,
  heartbeatIntervalMs: 100,
  maxFrameBytes: 1024 * 1024,
  handshakeTimeoutMs: 2000,
  redialBaseMs: 10,
  redialMaxMs: 200,
} as const;

export async function localNodes(names: readonly string[]): Promise<NodeConfig[]> {
  const ports = await freePorts(names.length);
  return names.map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! }));
}

const clients = new WeakMap<Transport, CallClient>();

/** The call client over a transport `makeNode` made: `rpc(a).call({ nodeName: 'b', funcName: 'echo', param: 1, timeoutMs: 5000 })`. */
export function rpc(transport: Transport): CallClient {
  const client = clients.get(transport);
  if (!client) throw new Error('rpc(): this transport was not made by makeNode()');
  return client;
}

export interface TestNode {
  readonly transport: Transport;
  readonly registry: FuncRegistry;
  readonly lost: string[];
}

/** A transport for `self` among `nodes`, with a fresh function registry; not started. */
export function makeNode(
  self: NodeConfig,
  nodes: readonly NodeConfig[],
  options: Partial<TransportOptions> & { functions?: Record<string, ClusterFunctionHandler>; logger?: ClusterLogger } = {},
): TestNode {
  const registry = new FuncRegistry();
  for (const [name, fn] of Object.entries(options.functions ?? {})) registry.register(name, fn);
  const transport = new Transport({
    self,
    nodes,
    secret: SECRET,
    ...FAST,
    clock: systemClock,
    logger: silentLogger,
    random: () => 0.5,
    ...options,
  });
  // Remote calls ride on the transport as the cluster wires them (lib/core/cluster.ts).
  new CallServer(transport, new FunctionRunner(registry), options.logger ?? silentLogger);
  clients.set(transport, new CallClient(transport));
  const lost: string[] = [];
  transport.onPeerLost((peer) => lost.push(peer));
  return { transport, registry, lost };
}

/**
 * Starts one node per name, fully connected, and returns them by name. Nodes named in `absent`
 * are configured (they count in the cluster identity and may be claimed in a handshake) but never
 * started.
 */
export async function startMesh(
  names: readonly string[],
  options: Parameters<typeof makeNode>[2] = {},
  absent: readonly string[] = [],
): Promise<{ nodes: NodeConfig[]; mesh: Map<string, TestNode>; close(): Promise<void> }> {
  const nodes = await localNodes([...names, ...absent]);
  const mesh = new Map(nodes.filter((n) => names.includes(n.name)).map((n) => [n.name, makeNode(n, nodes, options)]));
  await Promise.all([...mesh.values()].map((m) => m.transport.start()));
  await waitFor(
    () => [...mesh.entries()].every(([name, m]) => names.every((other) => other === name || m.transport.isAlive(other))),
    { what: 'every node to see every other alive' },
  );
  return {
    nodes,
    mesh,
    close: async () => void (await Promise.all([...mesh.values()].map((m) => m.transport.close()))),
  };
}

export type RawClient = Awaited<ReturnType<typeof rawClient>>;

/**
 * A bare TCP client for speaking (or garbling) the protocol by hand. Until `handshakeAs` has
 * established it, frames it receives are read as handshake frames; after, in secret mode, they
 * are opened with the connection's keys, and `sendMessage` seals.
 */
export async function rawClient(port: number): Promise<{
  socket: Socket;
  received: unknown[];
  sendMessage(message: unknown): void;
  closed: Promise<void>;
  dialer: Handshake | undefined;
  protection: FrameProtection | undefined;
}> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  const received: unknown[] = [];
  const decoder = new FrameDecoder(16 * 1024 * 1024);
  const client = {
    socket,
    received,
    dialer: undefined as Handshake | undefined,
    protection: undefined as FrameProtection | undefined,
    sendMessage: (m: unknown) => {
      const frame = encodeFrame(m);
      socket.write(client.protection ? client.protection.seal(frame) : frame);
    },
    closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
  };
  socket.on('data', (chunk: Buffer) => {
    try {
      decoder.feed(chunk);
      for (let body = decoder.nextBody(); body; body = decoder.nextBody()) {
        const { dialer } = client;
        if (dialer && dialer.established === undefined) {
          const message = parseHandshakeFrame(body);
          received.push(message);
          for (const reply of dialer.receive(message)) client.sendMessage(reply);
          if (dialer.established !== undefined) client.protection = keysOf(dialer);
        } else {
          for (const inner of client.protection ? client.protection.openFrames(body) : [body]) received.push(decode(inner));
        }
      }
    } catch {
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return client;
}

function keysOf(dialer: Handshake): FrameProtection | undefined {
  const keys = dialer.frameKeys();
  return keys && new FrameProtection(keys);
}

/** A hand-driven dialer claiming `selfName` towards `expectedPeer`, with the secret and cluster id the test picks. */
export function impostor(selfName: string, expectedPeer: string, clusterId: string, secret: string | undefined): Handshake {
  return new Handshake({
    role: 'dialer', selfName, expectedPeer, peers: new Set([expectedPeer]), nonce: randomBytes(32), clusterId,
    secret: secret === undefined ? undefined : secretKeySync(secret, clusterId),
  });
}

/** Plays the dialer's side of the handshake over `client` until it is established or the peer hangs up. */
export async function handshakeAs(client: RawClient, dialer: Handshake): Promise<void> {
  client.dialer = dialer;
  for (const m of dialer.start()) client.sendMessage(m);
  await Promise.race([waitFor(() => dialer.established !== undefined), client.closed]);
}
