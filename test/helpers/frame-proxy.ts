import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** What to do to the next frame that passes one way. */
export type Tamper =
  | { readonly kind: 'flip' }
  | { readonly kind: 'drop' }
  | { readonly kind: 'duplicate' }
  /** Holds this frame back and sends it after the next one. */
  | { readonly kind: 'reorder' }
  /** Sends `frame` (complete, header included) before this one. */
  | { readonly kind: 'inject'; readonly frame: Buffer };

export type Way = 'to-target' | 'to-client';

/**
 * A TCP proxy on 127.0.0.1:0 that understands the framing (4-byte length, body) and can tamper
 * with one frame after the handshake, as an on-path attacker would: flip a bit, drop, duplicate,
 * reorder or inject. `handshakeFrames` frames each way pass untouched first.
 */
export class FrameProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private pending: { way: Way; tamper: Tamper } | undefined;
  /** Frames passed each way on every connection so far. */
  framesRelayed = 0;
  connections = 0;

  private constructor(private readonly target: { host: string; port: number }, private readonly handshakeFrames: number) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }, handshakeFrames = 2): Promise<FrameProxy> {
    const proxy = new FrameProxy(target, handshakeFrames);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', () => resolve()));
    return proxy;
  }

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: (this.server.address() as AddressInfo).port };
  }

  /** Tampers with the next frame after the handshake going `way`, once. */
  tamperNext(way: Way, tamper: Tamper): void {
    this.pending = { way, tamper };
  }

  get tampered(): boolean {
    return this.pending === undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.connections++;
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream, 'to-target');
    this.pipe(upstream, client, 'to-client');
  }

  private pipe(from: Socket, to: Socket, way: Way): void {
    let buffered = Buffer.alloc(0);
    let seen = 0;
    let held: Buffer | undefined;
    from.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
        const length = 4 + buffered.readUInt32BE(0);
        const frame = Buffer.from(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
        this.framesRelayed++;
        const pending = this.pending;
        if (seen++ < this.handshakeFrames || !pending || pending.way !== way) {
          to.write(frame);
          if (held) {
            to.write(held);
            held = undefined;
          }
          continue;
        }
        this.pending = undefined;
        switch (pending.tamper.kind) {
          case 'flip':
            frame[frame.length - 1]! ^= 0x01;
            to.write(frame);
            break;
          case 'drop':
            break;
          case 'duplicate':
            to.write(frame);
            to.write(frame);
            break;
          case 'reorder':
            held = frame;
            break;
          case 'inject':
            to.write(pending.tamper.frame);
            to.write(frame);
            break;
        }
      }
    });
  }
}
