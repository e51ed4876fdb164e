import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports for servers that must be named before they listen: a node list, a redis-server command line.
 *
 * The usual trick (listen on port 0, read the port, close) leaves a window in which the kernel may
 * give that very port to an outgoing connection of a test running in parallel, because both come from
 * the ephemeral range; the server's own listen then fails with EADDRINUSE. So these ports come from
 * outside the ephemeral range, where the kernel never picks on its own. Each process walks its own
 * slice of that space (by Vitest worker id, else by pid) from a random start, and checks every port
 * with a real bind before handing it out.
 */

const SLICE = 400;
const FIRST = 20_000;

interface Space {
  start: number;
  end: number;
}

/** The ports below (or above) the kernel's ephemeral range, or undefined when there is no room. */
function outsideEphemeral(): Space | undefined {
  let low = 32_768;
  let high = 60_999;
  try {
    const [a, b] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(a) && Number.isInteger(b)) [low, high] = [a!, b!];
  } catch {
    // Not Linux: keep the Linux defaults, which most kernels match closely enough.
  }
  if (low - FIRST >= 2 * SLICE) return { start: FIRST, end: low };
  if (65_535 - high >= 2 * SLICE) return { start: high + 1, end: 65_536 };
  return undefined;
}

const space = outsideEphemeral();
const worker = Number(process.env.VITEST_POOL_ID ?? process.pid);
const slices = space ? Math.floor((space.end - space.start) / SLICE) : 0;
const sliceStart = space ? space.start + (worker % slices) * SLICE : 0;
let cursor = Math.floor(Math.random() * SLICE);

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** `count` distinct ports nobody listened on a moment ago, none of which the kernel hands out by itself. */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  if (!space) {
    // No room outside the ephemeral range: fall back to the kernel's pick.
    while (ports.length < count) {
      const port = await tryListen(0);
      if (port !== undefined && !ports.includes(port)) ports.push(port);
    }
    return ports;
  }
  for (let tried = 0; ports.length < count; tried++) {
    if (tried >= SLICE) throw new Error(`no free port left in ${sliceStart}..${sliceStart + SLICE - 1}`);
    const candidate = sliceStart + (cursor++ % SLICE);
    if ((await tryListen(candidate)) !== undefined) ports.push(candidate);
  }
  return ports;
}

/** One port, as freePorts. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}
