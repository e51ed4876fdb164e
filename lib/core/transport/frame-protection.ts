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
  readonly secret: string;
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
 * Seals and opens the frames of one established link with AES-256-GCM. The nonce is the frame's
 * number in its direction, never sent: a frame injected, replayed, dropped, reordered or altered
 * fails to open, and the link is dropped as `frame-auth-failed`.
 */
export class FrameProtection {
  private sent = 0n;
  private received = 0n;

  constructor(private readonly keys: FrameKeys) {}

  /** Takes a plaintext frame (header and body) and returns the sealed frame. */
  seal(frame: Buffer): Buffer {
    const cipher = createCipheriv(CIPHER, this.keys.send, nonceOf(this.sent++), { authTagLength: SEAL_OVERHEAD_BYTES });
    const body = frame.subarray(FRAME_HEADER_BYTES);
    const sealed = Buffer.allocUnsafe(frame.length + SEAL_OVERHEAD_BYTES);
    sealed.writeUInt32BE(body.length + SEAL_OVERHEAD_BYTES, 0);
    const encrypted = cipher.update(body);
    encrypted.copy(sealed, FRAME_HEADER_BYTES);
    cipher.final();
    cipher.getAuthTag().copy(sealed, FRAME_HEADER_BYTES + body.length);
    return sealed;
  }

  /** Takes a sealed body and returns the plaintext body; throws ProtocolError if it fails to open. */
  open(sealed: Buffer): Buffer {
    if (sealed.length < SEAL_OVERHEAD_BYTES) fail('shorter than its tag');
    const split = sealed.length - SEAL_OVERHEAD_BYTES;
    const decipher = createDecipheriv(CIPHER, this.keys.receive, nonceOf(this.received++), { authTagLength: SEAL_OVERHEAD_BYTES });
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

function nonceOf(counter: bigint): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeBigUInt64BE(counter, NONCE_BYTES - 8);
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
