import { ARRAY_BUFFER_KIND, DATA_VIEW_KIND, EXT, MAX_DEPTH, TYPED_ARRAY_KINDS } from './wire-types.js';

/** Bytes that are not a value of our wire format. */
export class MalformedValueError extends Error {}

const ERROR_TYPES: Record<string, ErrorConstructor> = {
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError,
};

/**
 * Decodes one value of our wire format (wire-types.ts) from exactly `bytes`, or throws
 * MalformedValueError. Issue #10 findings 1 and 2: no references, no records, no extension but
 * ours, no state kept between calls that could change what a frame decodes to (the one thing kept
 * is a bounded cache of short key strings, each compared byte for byte before reuse); every count is checked against the bytes left before anything
 * is allocated, so the work and memory are linear in the input and the stack is bounded by
 * MAX_DEPTH. Error messages never echo the decoded value.
 */
export function decodeValue(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.value(0);
  if (reader.position !== bytes.length) throw new MalformedValueError(`${bytes.length - reader.position} bytes after the value.`);
  return value;
}

/** Strings up to this many bytes are joined in JavaScript rather than by a native call (Reader.string). */
const MAX_JOINED_STRING = 8;
/** Keys up to this many bytes are looked up in the key cache (Reader.key). */
const MAX_CACHED_KEY = 16;
const KEY_CACHE_SLOTS = 1024;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SLOTS).fill(undefined);

class Reader {
  position = 0;
  private readonly view: DataView;
  private readonly buffer: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  value(depth: number): unknown {
    const op = this.u8();
    if (op < 0x80) return op;
    if (op >= 0xe0) return op - 0x100;
    if (op <= 0x8f) return this.object(op & 0x0f, depth);
    if (op <= 0x9f) return this.array(op & 0x0f, depth);
    if (op <= 0xbf) return this.string(op & 0x1f);
    switch (op) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.bin(this.u8());
      case 0xc5: return this.bin(this.u16());
      case 0xc6: return this.bin(this.u32());
      case 0xc7: return this.ext(this.u8());
      case 0xc8: return this.ext(this.u16());
      case 0xc9: return this.ext(this.u32());
      case 0xca: return this.view.getFloat32(this.skip(4) - 4);
      case 0xcb: return this.view.getFloat64(this.skip(8) - 8);
      case 0xcc: return this.u8();
      case 0xcd: return this.u16();
      case 0xce: return this.u32();
      case 0xd0: return this.view.getInt8(this.skip(1) - 1);
      case 0xd1: return this.view.getInt16(this.skip(2) - 2);
      case 0xd2: return this.view.getInt32(this.skip(4) - 4);
      case 0xd4: return this.marker(depth);
      case 0xd7: return this.date();
      case 0xd9: return this.string(this.u8());
      case 0xda: return this.string(this.u16());
      case 0xdb: return this.string(this.u32());
      case 0xdc: return this.array(this.u16(), depth);
      case 0xdd: return this.array(this.u32(), depth);
      case 0xde: return this.object(this.u16(), depth);
      case 0xdf: return this.object(this.u32(), depth);
      default: throw new MalformedValueError(`Type byte 0x${op.toString(16)} is not used by this protocol.`);
    }
  }

  private enter(depth: number, count: number, bytesEach: number): number {
    if (depth >= MAX_DEPTH) throw new MalformedValueError(`Nesting deeper than ${MAX_DEPTH} levels.`);
    // Each element takes at least one byte: a count larger than the bytes left is a lie.
    if (count * bytesEach > this.bytes.length - this.position) throw new MalformedValueError('A count exceeds the bytes left.');
    return depth + 1;
  }

  private array(count: number, depth: number): unknown[] {
    const inner = this.enter(depth, count, 1);
    const array = new Array<unknown>(count);
    for (let i = 0; i < count; i++) array[i] = this.value(inner);
    return array;
  }

  private object(count: number, depth: number): Record<string, unknown> {
    const inner = this.enter(depth, count, 2);
    const object: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const op = this.bytes[this.position];
      const key = op !== undefined && op >= 0xa0 && op <= 0xa0 + MAX_CACHED_KEY ? this.key(op & 0x1f) : this.value(inner);
      if (typeof key !== 'string') throw new MalformedValueError('An object key is not a string.');
      const entry = this.value(inner);
      // A "__proto__" key is data, never the prototype.
      if (key === '__proto__') Object.defineProperty(object, key, { value: entry, enumerable: true, writable: true, configurable: true });
      else object[key] = entry;
    }
    return object;
  }

  private marker(depth: number): unknown {
    const type = this.u8();
    if (this.u8() !== 0) throw new MalformedValueError('A marker has a non-zero filler byte.');
    if (type === EXT.undefined) return undefined;
    if (type !== EXT.map && type !== EXT.set && type !== EXT.error) throw new MalformedValueError(`Unknown marker ${type}.`);
    const content = this.value(depth);
    if (!Array.isArray(content)) throw new MalformedValueError('A marker is not followed by an array.');
    if (type === EXT.set) return new Set(content);
    if (type === EXT.map) {
      if (content.length % 2 !== 0) throw new MalformedValueError('A Map has an odd number of entries.');
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < content.length; i += 2) map.set(content[i], content[i + 1]);
      return map;
    }
    return toError(content);
  }

  private date(): Date {
    if (this.u8() !== EXT.date) throw new MalformedValueError('A fixext 8 that is not a Date.');
    return new Date(this.view.getFloat64(this.skip(8) - 8));
  }

  private ext(length: number): unknown {
    const type = this.u8();
    const end = this.skip(length);
    const body = this.bytes.subarray(end - length, end);
    if (type === EXT.bigint) {
      if (length < 2 || body[0]! > 1) throw new MalformedValueError('A malformed BigInt.');
      const magnitude = BigInt(`0x${Buffer.from(body.buffer, body.byteOffset + 1, length - 1).toString('hex')}`);
      return body[0] === 1 ? -magnitude : magnitude;
    }
    if (type === EXT.typedArray && length >= 1) return toTypedArray(body[0]!, body.subarray(1));
    throw new MalformedValueError(`Unknown extension type ${type}.`);
  }

  /**
   * A short object key. Issue #15: each key decoded as a new string had to be hashed and
   * internalized on every property store, the decoder's largest cost; the same few keys come in
   * every frame, so the last string seen for each hash slot is reused when its bytes match exactly
   * (compared in full, so the cache can change no result, only save the allocation).
   */
  private key(length: number): string {
    const start = this.position + 1;
    const end = this.skip(1 + length);
    const bytes = this.bytes;
    let hash = length;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      if (byte >= 0x80) return this.buffer.toString('utf8', start, end);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const slot = hash & (KEY_CACHE_SLOTS - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && cached.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (cached.charCodeAt(i) !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    let key = '';
    for (let i = start; i < end; i++) key += String.fromCharCode(bytes[i]!);
    keyCache[slot] = key;
    return key;
  }

  private string(length: number): string {
    const end = this.skip(length);
    const start = end - length;
    // Issue #15: a native call costs about as much as joining 8 characters one by one, and joining
    // more leaves a chain of partial strings for the garbage collector (a fifth of a served call's
    // garbage with the bench's 32-character note); very short ASCII strings are still joined here.
    if (length <= MAX_JOINED_STRING) {
      let ascii = '';
      for (let i = start; i < end; i++) {
        const byte = this.bytes[i]!;
        if (byte >= 0x80) return this.buffer.toString('utf8', start, end);
        ascii += String.fromCharCode(byte);
      }
      return ascii;
    }
    return this.buffer.toString('utf8', start, end);
  }

  /** A copy: a value must not pin the whole received chunk in memory. */
  private bin(length: number): Buffer {
    const end = this.skip(length);
    return Buffer.from(this.bytes.subarray(end - length, end));
  }

  private u8(): number {
    if (this.position >= this.bytes.length) throw new MalformedValueError('The value ends early.');
    return this.bytes[this.position++]!;
  }

  private u16(): number {
    return this.view.getUint16(this.skip(2) - 2);
  }

  private u32(): number {
    return this.view.getUint32(this.skip(4) - 4);
  }

  /** Moves past `length` bytes and returns the new position; throws if they are not there. */
  private skip(length: number): number {
    if (length > this.bytes.length - this.position) throw new MalformedValueError('The value ends early.');
    return (this.position += length);
  }
}

function toError(content: unknown[]): Error {
  const [name, message, stack, code] = content;
  if (content.length !== 4 || typeof name !== 'string' || typeof message !== 'string'
    || (stack !== null && typeof stack !== 'string') || (code !== null && typeof code !== 'string')) {
    throw new MalformedValueError('A malformed Error.');
  }
  const error = new (Object.hasOwn(ERROR_TYPES, name) ? ERROR_TYPES[name]! : Error)(message);
  if (error.name !== name) Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: stack ?? undefined, writable: true, configurable: true });
  if (code !== null) Object.assign(error, { code });
  return error;
}

function toTypedArray(kind: number, bytes: Uint8Array): ArrayBufferView | ArrayBuffer {
  // A fresh, aligned buffer of its own for each value.
  const buffer = Uint8Array.prototype.slice.call(bytes).buffer;
  if (kind === ARRAY_BUFFER_KIND) return buffer;
  if (kind === DATA_VIEW_KIND) return new DataView(buffer);
  const type = TYPED_ARRAY_KINDS[kind];
  if (!type || bytes.length % type.BYTES_PER_ELEMENT !== 0) throw new MalformedValueError('A malformed typed array.');
  return new type(buffer);
}
