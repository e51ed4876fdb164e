import { ProtocolError } from '../errors.js';
import { parseMessage, type Message } from './protocol.js';

/** Fields of the largest handshake message (hello: type, version, cluster, node, nonce). */
const MAX_FIELDS = 8;

type Scalar = string | number | Buffer;

/**
 * Issue #10, findings 1 and 2: nothing a stranger sends reaches a general-purpose decoder. Before
 * its handshake a connection's frames are read here: one flat MessagePack map of at most
 * MAX_FIELDS entries, string keys, and values that are short strings, unsigned integers or short
 * byte strings, nothing else (no nesting, no extensions, no records, no references). Every read
 * is bounds-checked, so the cost is a few hundred byte reads at most (frames here are at most
 * HANDSHAKE_MAX_FRAME_BYTES). Which fields must be present is then parseMessage's job.
 */
export function parseHandshakeFrame(body: Uint8Array): Message {
  const reader = new FlatReader(body);
  const fields = reader.map();
  if (reader.position !== body.length) malformed('bytes after the message');
  return parseMessage(fields);
}

class FlatReader {
  position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  map(): Record<string, Scalar> {
    const op = this.u8();
    if (op < 0x80 || op > 0x80 + MAX_FIELDS) malformed('not a small map');
    const fields: Record<string, Scalar> = Object.create(null);
    for (let i = 0; i < (op & 0x0f); i++) {
      const key = this.scalar();
      if (typeof key !== 'string' || Object.hasOwn(fields, key)) malformed('a key that is not a new string');
      fields[key] = this.scalar();
    }
    return fields;
  }

  private scalar(): Scalar {
    const op = this.u8();
    if (op < 0x80) return op;
    if (op >= 0xa0 && op <= 0xbf) return this.take(op & 0x1f).toString('utf8');
    switch (op) {
      case 0xd9: return this.take(this.u8()).toString('utf8');
      // Node names longer than 255 bytes; the frame limit still bounds the length.
      case 0xda: return this.take(this.take(2).readUInt16BE(0)).toString('utf8');
      case 0xc4: return Buffer.from(this.take(this.u8()));
      case 0xcc: return this.u8();
      case 0xcd: return this.take(2).readUInt16BE(0);
      case 0xce: return this.take(4).readUInt32BE(0);
      default: return malformed(`type byte 0x${op.toString(16)}, which a handshake never uses`);
    }
  }

  private u8(): number {
    return this.take(1)[0]!;
  }

  private take(length: number): Buffer {
    if (length > this.bytes.length - this.position) malformed('it ends early');
    const start = this.position;
    this.position += length;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, length);
  }
}

function malformed(what: string): never {
  throw new ProtocolError('malformed-frame', `Handshake frame is malformed: ${what}.`);
}
