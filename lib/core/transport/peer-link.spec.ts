import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../codec.js';
import { PROTOCOL_VERSION } from './protocol.js';
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

  it('takes random and mutated frames, before and after its handshake, without anything escaping the link', () => {
    const hello = encode({ type: 'hello', version: PROTOCOL_VERSION, cluster: 'c', node: 'b', nonce: randomBytes(32) });
    const framed = (body: Uint8Array) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(body.length, 0);
      return Buffer.concat([header, body]);
    };
    const mutated = fc.tuple(fc.constantFrom(hello, encode({ type: 'request', id: 1, timeoutMs: 5, body: { funcName: 'f', param: new Map([[1, new Set([2n])]]) } })),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
      .map(([body, flips]) => {
        const copy = Buffer.from(body);
        for (const [at, byte] of flips) copy[at % copy.length] = byte;
        return copy;
      });
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), { maxLength: 5 }), (greet, bodies) => {
        const socket = new UnreadSocket();
        const ends: LinkEnd[] = [];
        const handshake = new Handshake({
          role: 'acceptor', selfName: 'a', clusterId: 'c', peers: new Set(['b']), nonce: randomBytes(32), secret: undefined,
        });
        const link = new PeerLink(socket as unknown as Socket, 'inbound', '127.0.0.1:1', handshake, { maxFrameBytes: 64 * 1024, handshakeTimeoutMs: 60_000, clock: systemClock }, {
          established: () => undefined,
          message: () => undefined,
          ended: (_link, end) => void ends.push(end),
        });
        for (const body of [...(greet ? [hello] : []), ...bodies]) socket.emit('data', framed(body));
        link.destroy({ kind: 'shutdown' });
        // Exactly one end, and a peer's bytes only ever end a link as a violation.
        expect(ends).toHaveLength(1);
        expect(['violation', 'shutdown']).toContain(ends[0]!.kind);
      }),
      { numRuns: 500 },
    );
  });
});
