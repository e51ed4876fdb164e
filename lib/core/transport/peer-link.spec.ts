import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../system-clock.js';
import { Handshake } from './handshake.js';
import { PeerLink, writeLimitBytes, type LinkEnd } from './peer-link.js';

/** Just enough of a socket for a link: it records writes and pretends nothing is ever read. */
class UnreadSocket extends EventEmitter {
  writableLength = 0;
  destroyed = false;
  remoteAddress = '127.0.0.1';
  remotePort = 1;
  setNoDelay() {}
  cork() {}
  uncork() {}
  write(frame: Buffer) {
    this.writableLength += frame.length;
    return false;
  }
  destroy() {
    this.destroyed = true;
  }
}

describe('PeerLink', () => {
  it('drops a peer that stopped reading once more than the write limit is queued', () => {
    const socket = new UnreadSocket();
    const ends: LinkEnd[] = [];
    const handshake = new Handshake({
      role: 'acceptor', selfName: 'a', clusterId: 'c', peers: new Set(['b']), nonce: randomBytes(32), secret: undefined,
    });
    const link = new PeerLink(socket as unknown as Socket, 'inbound', '127.0.0.1:1', handshake, { maxFrameBytes: 1024 * 1024, handshakeTimeoutMs: 60_000, clock: systemClock }, {
      established: () => undefined,
      message: () => undefined,
      ended: (_link, end) => void ends.push(end),
    });
    const frame = Buffer.alloc(1024 * 1024);
    const limit = writeLimitBytes(1024 * 1024);
    let sent = 0;
    while (link.sendFrame(frame)) sent++;
    expect(sent).toBe(Math.floor(limit / frame.length));
    expect(ends).toEqual([{ kind: 'stalled', queuedBytes: limit + frame.length }]);
    expect(socket.destroyed).toBe(true);
    expect(link.sendFrame(frame)).toBe(false);
  });
});
