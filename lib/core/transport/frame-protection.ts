import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { ProtocolError } from '../errors.js';
import { FRAME_HEADER_BYTES } from './frame-codec.js';

const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
/** Bytes a sealed body carries beyond its plaintext. */
export const SEAL_OVERHEAD_BYTES = 16;

/** What both ends of one connection know after the secret handshake (handshake.ts). */
export interface FrameKeyInputs {
  readonly secret: string | Uint8Array;
  readonly protocol: string;
  readonly clusterId: string;
  readonly dialer: string;
  readonly acceptor: string;
  readonly dialerNonce: Uint8Array;
  readonly acceptorNonce: Uint8Array;
}

export interface FrameKeys {
  readonly send: Buffer;
  readonly receive: Buffer;
}

/**
 * Issue #10 finding 6: the secret must protect every frame, not only the handshake. One key per
 * connection and direction, HKDF-SHA256 over the secret with both fresh nonces as salt and the
 * protocol, cluster and both names as context: no key is ever used on two connections, nor both
 * ways on one, so a counter nonce never repeats under a key.
 */
export function deriveFrameKeys(inputs: FrameKeyInputs, role: 'dialer' | 'acceptor'): FrameKeys {
  const salt = Buffer.concat([inputs.dialerNonce, inputs.acceptorNonce]);
  const key = (direction: string) =>
    Buffer.from(hkdfSync('sha256', inputs.secret, salt, lengthPrefixed([inputs.protocol, 'frame key', direction, inputs.clusterId, inputs.dialer, inputs.acceptor]), KEY_BYTES));
  const outbound = key('dialer to acceptor');
  const inbound = key('acceptor to dialer');
  return role === 'dialer' ? { send: outbound, receive: inbound } : { send: inbound, receive: outbound };
}

/**
 * Seals and opens the records of one established link with AES-256-GCM. A record is one sealed
 * frame on the wire whose plaintext is one or more whole frames (header and body): the frames a
 * link writes in one tick are sealed together (outgoing-frames.ts), so 64 results in flight cost
 * a few ciphers, not 64.
 * The nonce is the record's number in its direction, never sent: a record injected, replayed,
 * dropped, reordered or altered fails to open, and the link is dropped as `frame-auth-failed`.
 */
export class FrameProtection {
  private sent = 0;
  private received = 0;
  private readonly sendNonce = Buffer.alloc(NONCE_BYTES);
  private readonly receiveNonce = Buffer.alloc(NONCE_BYTES);

  constructor(private readonly keys: FrameKeys) {}

  /** Takes plaintext frames, back to back, and returns one sealed frame to write. */
  seal(frames: Buffer): Buffer {
    return Buffer.concat(this.sealParts(frames));
  }

  /** The sealed frame as its header, ciphertext and tag, to write without joining them. */
  sealParts(frames: Buffer): [Buffer, Buffer, Buffer] {
    const cipher = createCipheriv(CIPHER, this.keys.send, count(this.sendNonce, this.sent++), { authTagLength: SEAL_OVERHEAD_BYTES });
    const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    header.writeUInt32BE(frames.length + SEAL_OVERHEAD_BYTES, 0);
    const encrypted = cipher.update(frames);
    cipher.final();
    return [header, encrypted, cipher.getAuthTag()];
  }

  /** Takes a sealed body and returns the bodies of the frames inside; throws ProtocolError if it fails to open. */
  openFrames(sealed: Buffer): Buffer[] {
    const plain = this.open(sealed);
    const bodies: Buffer[] = [];
    for (let at = 0; at < plain.length; ) {
      if (plain.length - at < FRAME_HEADER_BYTES) fail('a record ends inside a frame header');
      const length = plain.readUInt32BE(at);
      at += FRAME_HEADER_BYTES;
      if (length > plain.length - at) fail('a record ends inside a frame');
      bodies.push(plain.subarray(at, (at += length)));
    }
    return bodies;
  }

  private open(sealed: Buffer): Buffer {
    if (sealed.length < SEAL_OVERHEAD_BYTES) fail('shorter than its tag');
    const split = sealed.length - SEAL_OVERHEAD_BYTES;
    const decipher = createDecipheriv(CIPHER, this.keys.receive, count(this.receiveNonce, this.received++), { authTagLength: SEAL_OVERHEAD_BYTES });
    decipher.setAuthTag(sealed.subarray(split));
    const body = decipher.update(sealed.subarray(0, split));
    try {
      decipher.final();
    } catch {
      fail('it was altered, injected, replayed, reordered or follows a lost frame');
    }
    return body;
  }
}

/** Writes `counter` into the last 8 bytes of `nonce` (a safe integer: never wraps in practice). */
function count(nonce: Buffer, counter: number): Buffer {
  nonce.writeUInt32BE(Math.floor(counter / 2 ** 32), NONCE_BYTES - 8);
  nonce.writeUInt32BE(counter >>> 0, NONCE_BYTES - 4);
  return nonce;
}

function lengthPrefixed(parts: readonly string[]): Buffer {
  return Buffer.concat(parts.flatMap((part) => {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    return [length, bytes];
  }));
}

function fail(why: string): never {
  throw new ProtocolError('frame-auth-failed', `A frame failed authentication: ${why}.`);
}
