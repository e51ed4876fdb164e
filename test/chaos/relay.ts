import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { DelayLine, NO_DELAY, type Delay } from './delay-line.js';

/** Where one listening port of the relay leads: a node's port, or Redis. */
export interface RelayTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** The relay's own port for this target; 0 picks a free one (tests). */
  readonly listenPort: number;
}

/** `up`: what the dialling node sends to the target; `down`: what the target sends back. */
export type Direction = 'up' | 'down';

export interface RelayOptions {
  readonly listenHost: string;
  readonly targets: readonly RelayTarget[];
  readonly now: () => number;
  readonly random: () => number;
  /** Bytes queued in one direction before its source is paused; default 1 MiB. */
  readonly highWaterBytes?: number;
}

/** What one direction of one target measured while it was delayed: delivery minus arrival, in ms. */
export interface DelayStats {
  readonly target: string;
  readonly direction: Direction;
  readonly delay: Delay;
  readonly chunks: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

const DEFAULT_HIGH_WATER_BYTES = 1 << 20;
const key = (target: string, direction: Direction) => `${target}/${direction}`;

/**
 * A TCP relay that holds each chunk for a link's delay: every connection accepted on a target's
 * port is dialled on to the target, and each direction of it runs through a DelayLine. Delays are
 * set per target and direction while connections are open, and apply from the next chunk.
 *
 * It behaves as the network would, as seen from the two ends: a FIN is passed on as a half-close
 * and a reset as a reset, each after the data before it; a refused dial resets the accepted
 * connection before it has said a word (what the transport takes for "nobody listens"); a full
 * destination pauses its source.
 */
export class Relay {
  private readonly servers = new Map<string, Server>();
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Map<string, Delay>();
  private readonly measured = new Map<string, number[]>();
  private readonly lines = new Set<DelayLine>();
  private readonly highWater: number;
  /** How often a source was paused, and the most bytes one direction held (queued and unwritten). */
  readonly pressure = { pauses: 0, peakQueuedBytes: 0 };

  constructor(private readonly options: RelayOptions) {
    this.highWater = options.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
  }

  async listen(): Promise<void> {
    for (const target of this.options.targets) {
      const server = createServer({ allowHalfOpen: true }, (client) => this.relay(client, target));
      this.servers.set(target.name, server);
      server.listen(target.listenPort, this.options.listenHost);
      await once(server, 'listening');
      // Past listening, a failed accept (EMFILE, say) costs that one connection, not the relay.
      server.on('error', () => undefined);
    }
  }

  /** Chunks, FINs and resets held in the relay right now. */
  get pending(): number {
    let n = 0;
    for (const line of this.lines) n += line.pending;
    return n;
  }

  /** The port a target is relayed on (tests listen on port 0). */
  portOf(target: string): number {
    return (this.servers.get(target)!.address() as AddressInfo).port;
  }

  setDelay(target: string, direction: Direction, delay: Delay): void {
    this.delays.set(key(target, direction), delay);
  }

  /** Every delay back to none; returns what each delayed direction measured since it was set. */
  heal(): DelayStats[] {
    const stats: DelayStats[] = [];
    for (const [k, delay] of this.delays) {
      const [target, direction] = k.split('/') as [string, Direction];
      const samples = this.measured.get(k) ?? [];
      if (delay !== NO_DELAY) stats.push(summarize(target, direction, delay, samples));
    }
    this.delays.clear();
    this.measured.clear();
    return stats;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([...this.servers.values()].map((s) => new Promise((resolve) => s.close(resolve))));
  }

  private relay(client: Socket, target: RelayTarget): void {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    client.setNoDelay(true);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    }
    const up = this.line(client, upstream, target.name, 'up');
    const down = this.line(upstream, client, target.name, 'down');
    // A socket's error is its own end as a source (a reset, passed on in order) and the end of
    // the line that delivered to it (nothing more can reach it).
    client.on('error', () => {
      down.destroy();
      up.close('reset');
    });
    upstream.on('error', () => {
      up.destroy();
      down.close('reset');
    });
  }

  /** One direction: `source` → DelayLine → `destination`, with backpressure both ways. */
  private line(source: Socket, destination: Socket, target: string, direction: Direction): DelayLine {
    const k = key(target, direction);
    const line = new DelayLine(
      { now: this.options.now, random: this.options.random, delay: () => this.delays.get(k) ?? NO_DELAY },
      {
        deliver: (chunk, delayedMs, delay) => {
          if (destination.destroyed) return;
          destination.write(chunk);
          // Measured against the delay it arrived under: a chunk that came in undelayed and waited
          // behind delayed ones, then left after a new delay was set, is not that delay's.
          if (delay !== NO_DELAY && delay === this.delays.get(k)) this.measure(k, delayedMs);
          this.resumeIfRoom(source, destination, line);
        },
        end: () => {
          if (!destination.destroyed) destination.end();
        },
        reset: () => resetOf(destination),
      },
    );
    source.on('data', (chunk: Buffer) => {
      line.push(chunk);
      const held = line.queuedBytes + destination.writableLength;
      this.pressure.peakQueuedBytes = Math.max(this.pressure.peakQueuedBytes, held);
      if (line.queuedBytes >= this.highWater || destination.writableNeedDrain) {
        source.pause();
        this.pressure.pauses++;
      }
    });
    source.on('end', () => line.close('end'));
    destination.on('drain', () => this.resumeIfRoom(source, destination, line));
    this.lines.add(line);
    destination.once('close', () => {
      line.destroy();
      this.lines.delete(line);
    });
    return line;
  }

  private resumeIfRoom(source: Socket, destination: Socket, line: DelayLine): void {
    if (source.isPaused() && line.queuedBytes < this.highWater && !destination.writableNeedDrain) source.resume();
  }

  private measure(k: string, delayedMs: number): void {
    const samples = this.measured.get(k) ?? [];
    samples.push(delayedMs);
    this.measured.set(k, samples);
  }
}

/**
 * A reset, as the peer would see it: RST if the connection is up; a socket still dialling is
 * destroyed instead (Node would otherwise wait for the dial to finish before resetting it).
 */
function resetOf(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

function summarize(target: string, direction: Direction, delay: Delay, samples: readonly number[]): DelayStats {
  let [minMs, maxMs, sum] = [Infinity, -Infinity, 0];
  for (const s of samples) [minMs, maxMs, sum] = [Math.min(minMs, s), Math.max(maxMs, s), sum + s];
  return { target, direction, delay, chunks: samples.length, minMs, maxMs, meanMs: samples.length ? sum / samples.length : NaN };
}
