import { connect, createServer, type Server, type Socket } from 'node:net';
import LifeRaft from '@markwylde/liferaft';
import { onFrames, writeFrame } from './framing.js';

/** Where each liferaft node listens, by its address (the bench uses node names as addresses). */
export type Directory = ReadonlyMap<string, { readonly host: string; readonly port: number }>;

/** A request carries an id; its answer names that id. liferaft's answer may be empty. */
type Frame = { readonly id: number; readonly packet: LifeRaft.Packet } | { readonly re: number; readonly packet?: LifeRaft.Packet };

interface Waiting {
  readonly written: LifeRaft.Written;
  readonly at: number;
}

/**
 * liferaft ships without a transport; its `example/tcp.js` opens a connection per packet and
 * parses whatever one `data` chunk holds. This one, for the bench only, keeps that shape (every
 * node listens, `write` sends a packet and hands liferaft the answer) over one kept connection
 * per peer with the bench's framing (`framing.ts`: 4-byte length, msgpackr body), so that neither
 * a connect per heartbeat nor a split chunk costs it anything. Like the example it sends each
 * packet once: a peer that is down gets the packet's error, and liferaft tries again on its next
 * heartbeat or election timer, as it does with any transport.
 *
 * A class per directory, because liferaft makes its peers with `new this.constructor(options)`.
 * No field initializers: liferaft calls `initialize` from its constructor, before they would run.
 */
export function tcpLifeRaft(directory: Directory): new (address: string, options: LifeRaft.Options) => LifeRaft {
  return class TcpRaft extends LifeRaft {
    declare private server: Server | undefined;
    declare private socket: Socket | undefined;
    declare private waiting: Map<number, Waiting> | undefined;
    declare private lastId: number | undefined;

    /** The node itself (liferaft does not call this on peers): listen, then start the timers. */
    initialize(_options: LifeRaft.Options, ready: (error?: Error) => void): void {
      const self = where(directory, this.address);
      const server = createServer((socket) => this.serve(socket));
      this.server = server;
      server.once('error', (error) => ready(error));
      server.listen({ host: self.host, port: self.port }, () => ready());
      this.once('end', () => server.close());
    }

    /** On a peer (a child liferaft made by `join`): send `packet` to it and pass on its answer. */
    write(packet: LifeRaft.Packet, written: LifeRaft.Written): void {
      const waiting = (this.waiting ??= new Map());
      const socket = this.socket ?? this.dial(waiting);
      const id = (this.lastId = (this.lastId ?? 0) + 1);
      // liferaft leaves some packets unanswered (a follower does not answer a heartbeat without a
      // log): forget those after an election timeout rather than keep them.
      const now = performance.now();
      for (const [old, w] of waiting) {
        if (now - w.at < this.election.max) break;
        waiting.delete(old);
      }
      waiting.set(id, { written, at: now });
      writeFrame(socket, { id, packet } satisfies Frame);
    }

    private dial(waiting: Map<number, Waiting>): Socket {
      const peer = where(directory, this.address);
      const socket = connect({ host: peer.host, port: peer.port });
      socket.setNoDelay(true);
      this.socket = socket;
      onFrames(socket, (value) => {
        const frame = value as Frame;
        if (!('re' in frame)) return;
        const w = waiting.get(frame.re);
        waiting.delete(frame.re);
        w?.written(undefined, frame.packet);
      });
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        if (this.socket === socket) this.socket = undefined;
        const error = new Error(`liferaft bench transport: the connection to ${this.address} closed`);
        const failed = [...waiting.values()];
        waiting.clear();
        for (const w of failed) w.written(error);
      });
      this.once('end', () => socket.destroy());
      return socket;
    }

    private serve(socket: Socket): void {
      socket.setNoDelay(true);
      socket.on('error', () => socket.destroy());
      onFrames(socket, (value) => {
        const frame = value as Frame;
        if (!('id' in frame)) return;
        this.emit('data', frame.packet, (answer?: LifeRaft.Packet | Promise<LifeRaft.Packet>) => {
          void Promise.resolve(answer).then((packet) => {
            if (!socket.destroyed) writeFrame(socket, { re: frame.id, packet } satisfies Frame);
          });
        });
      });
      this.once('end', () => socket.destroy());
    }
  };
}

function where(directory: Directory, address: string): { host: string; port: number } {
  const found = directory.get(address);
  if (!found) throw new Error(`liferaft bench transport: no node "${address}" in the directory`);
  return found;
}
