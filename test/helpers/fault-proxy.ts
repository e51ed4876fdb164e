import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does to traffic right now. */
export type ProxyMode =
  | 'pass'
  /**
   * Nothing gets through either way, but connections stay open and what was sent is held, then
   * delivered in order on 'pass': a partition as TCP sees it, retransmitting until it heals.
   */
  | 'hold'
  /** Open connections are reset and new ones refused at once: a crashed peer, as TCP sees it. */
  | 'reset';

interface Direction {
  readonly to: Socket;
  readonly held: Buffer[];
}

/**
 * A TCP proxy on 127.0.0.1:0 in front of one listener, for partition and delay tests: the link
 * through it can be passed, held, reset or delayed at any moment, in both directions.
 */
export class FaultProxy {
  private mode: ProxyMode = 'pass';
  private delayMs = 0;
  private readonly server: Server;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly directions = new Set<Direction>();
  /** Bytes held back so far while in 'hold', so a test can wait until a message was really cut off. */
  heldBytes = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'reset') for (const [a, b] of this.pairs) this.destroy(a, b);
    if (mode === 'pass') {
      for (const direction of this.directions) {
        for (const chunk of direction.held.splice(0)) this.forward(direction.to, chunk);
      }
    }
  }

  /** Delays every chunk by `ms` in each direction (order is kept). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) this.destroy(a, b);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'reset') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const toUpstream: Direction = { to: upstream, held: [] };
    const toClient: Direction = { to: client, held: [] };
    this.directions.add(toUpstream).add(toClient);
    const end = () => {
      this.pairs.delete(pair);
      this.directions.delete(toUpstream);
      this.directions.delete(toClient);
      this.destroy(client, upstream);
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.on('data', (chunk: Buffer) => this.relay(toUpstream, chunk));
    upstream.on('data', (chunk: Buffer) => this.relay(toClient, chunk));
  }

  private relay(direction: Direction, chunk: Buffer): void {
    if (this.mode === 'hold') {
      this.heldBytes += chunk.length;
      direction.held.push(chunk);
    } else {
      this.forward(direction.to, chunk);
    }
  }

  private forward(to: Socket, chunk: Buffer): void {
    if (this.delayMs === 0) to.write(chunk);
    else setTimeout(() => to.destroyed || to.write(chunk), this.delayMs);
  }

  private destroy(a: Socket, b: Socket): void {
    a.resetAndDestroy();
    b.resetAndDestroy();
  }
}
