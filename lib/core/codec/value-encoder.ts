// Slightly over our ~250-line guide: one encoder with one switch over the wire types
// (wire-types.ts); keeping it whole keeps the wire format readable in one place, beside
// value-decoder.ts, which mirrors it.
import { ClusterError } from '../errors.js';
import { ARRAY_BUFFER_KIND, DATA_VIEW_KIND, EXT, MAX_DEPTH, TYPED_ARRAY_KINDS } from './wire-types.js';

/** A value that cannot cross the wire: a cycle, a shared container, too deep, or a function. */
export class UnencodableValueError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_INVALID_ARGUMENT', message);
  }
}

/**
 * Encodes one value (wire-types.ts). Containers must form a tree: a cycle or a container reached
 * twice is refused rather than sent as a reference, because references are what let a few hundred
 * bytes decode into gigabytes (issue #10, finding 1). Leaves (Date, Buffer, typed arrays) are
 * copied wherever they appear. `reserve` bytes are left free at the front for a frame header.
 */
export function encodeValue(value: unknown, reserve = 0): Buffer {
  const writer = new Writer(reserve);
  writer.value(value, 0);
  return writer.result();
}

class Writer {
  // Buffer's own big-endian writers rather than a DataView: one object fewer per frame (issue #15).
  private buffer: Buffer;
  private position: number;
  private readonly containers = new Containers();

  constructor(reserve: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(256, reserve + 64));
    this.position = reserve;
  }

  result(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case 'string':
        return this.string(value);
      case 'number':
        return this.number(value);
      case 'boolean':
        return this.byte(value ? 0xc3 : 0xc2);
      case 'undefined':
        return this.marker(EXT.undefined);
      case 'bigint':
        return this.bigint(value);
      case 'object':
        if (value === null) return this.byte(0xc0);
        return this.object(value, depth);
      default:
        throw new UnencodableValueError(`A ${typeof value} cannot be sent to another node.`);
    }
  }

  private object(value: object, depth: number): void {
    if (value instanceof Date) {
      this.reserve(10);
      this.buffer[this.position++] = 0xd7;
      this.buffer[this.position++] = EXT.date;
      this.buffer.writeDoubleBE(value.getTime(), this.position);
      this.position += 8;
      return;
    }
    if (Buffer.isBuffer(value)) return this.bin(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return this.typedArray(value);
    if (depth >= MAX_DEPTH) throw new UnencodableValueError(`The value nests deeper than ${MAX_DEPTH} levels.`);
    this.containers.enter(value);
    if (Array.isArray(value)) return this.array(value, depth + 1);
    if (value instanceof Map) {
      this.marker(EXT.map);
      this.arrayHeader(value.size * 2);
      for (const [key, entry] of value) {
        this.value(key, depth + 1);
        this.value(entry, depth + 1);
      }
      return;
    }
    if (value instanceof Set) {
      this.marker(EXT.set);
      this.arrayHeader(value.size);
      for (const member of value) this.value(member, depth + 1);
      return;
    }
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      this.marker(EXT.error);
      this.arrayHeader(4);
      this.string(String(value.name));
      this.string(String(value.message));
      this.nullableString(typeof value.stack === 'string' ? value.stack : undefined);
      this.nullableString(typeof code === 'string' || typeof code === 'number' ? String(code) : undefined);
      return;
    }
    this.plainObject(value as Record<string, unknown>, depth + 1);
  }

  /** Class instances travel as their own enumerable properties, as with structured clone. */
  private plainObject(value: Record<string, unknown>, depth: number): void {
    const keys = Object.keys(value);
    this.mapHeader(keys.length);
    for (const key of keys) {
      this.string(key);
      this.value(value[key], depth);
    }
  }

  private array(value: readonly unknown[], depth: number): void {
    this.arrayHeader(value.length);
    for (let i = 0; i < value.length; i++) this.value(value[i], depth);
  }

  private number(value: number): void {
    if (Number.isInteger(value) && !Object.is(value, -0)) {
      if (value >= 0 && value < 0x80) return this.byte(value);
      if (value < 0 && value >= -32) return this.byte(value & 0xff);
      if (value >= 0 && value <= 0xffffffff) {
        this.reserve(5);
        this.buffer[this.position++] = 0xce;
        this.buffer.writeUInt32BE(value, this.position);
        this.position += 4;
        return;
      }
      if (value >= -0x80000000 && value < 0) {
        this.reserve(5);
        this.buffer[this.position++] = 0xd2;
        this.buffer.writeInt32BE(value, this.position);
        this.position += 4;
        return;
      }
    }
    this.reserve(9);
    this.buffer[this.position++] = 0xcb;
    this.buffer.writeDoubleBE(value, this.position);
    this.position += 8;
  }

  private string(value: string): void {
    const length = value.length;
    // Short ASCII strings (keys, names) are most strings here: copy them byte by byte.
    if (length < 32) {
      this.reserve(1 + length);
      const start = this.position;
      this.buffer[start] = 0xa0 | length;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        this.buffer[start + 1 + i] = code;
      }
      if (i === length) {
        this.position = start + 1 + length;
        return;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.header(bytes, 0xa0, 32, 0xd9, 0xda, 0xdb);
    this.reserve(bytes);
    this.buffer.write(value, this.position, bytes, 'utf8');
    this.position += bytes;
  }

  private nullableString(value: string | undefined): void {
    if (value === undefined) this.byte(0xc0);
    else this.string(value);
  }

  private bin(bytes: Uint8Array): void {
    this.header(bytes.length, 0, 0, 0xc4, 0xc5, 0xc6);
    this.raw(bytes);
  }

  private bigint(value: bigint): void {
    const negative = value < 0n;
    let hex = (negative ? -value : value).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const magnitude = Buffer.from(hex, 'hex');
    this.extHeader(1 + magnitude.length, EXT.bigint);
    this.byte(negative ? 1 : 0);
    this.raw(magnitude);
  }

  private typedArray(value: ArrayBufferView | ArrayBuffer): void {
    let kind: number;
    let bytes: Uint8Array;
    if (value instanceof ArrayBuffer) {
      kind = ARRAY_BUFFER_KIND;
      bytes = new Uint8Array(value);
    } else {
      kind = value instanceof DataView ? DATA_VIEW_KIND : TYPED_ARRAY_KINDS.findIndex((type) => value.constructor === type);
      if (kind < 0) throw new UnencodableValueError(`A ${value.constructor.name} cannot be sent to another node.`);
      bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    }
    this.extHeader(1 + bytes.length, EXT.typedArray);
    this.byte(kind);
    this.raw(bytes);
  }

  private marker(type: number): void {
    this.reserve(3);
    this.buffer[this.position++] = 0xd4;
    this.buffer[this.position++] = type;
    this.buffer[this.position++] = 0;
  }

  private extHeader(length: number, type: number): void {
    this.header(length, 0, 0, 0xc7, 0xc8, 0xc9);
    this.byte(type);
  }

  private arrayHeader(length: number): void {
    if (length < 16) return this.byte(0x90 | length);
    this.header(length, 0, 0, 0, 0xdc, 0xdd);
  }

  private mapHeader(length: number): void {
    if (length < 16) return this.byte(0x80 | length);
    this.header(length, 0, 0, 0, 0xde, 0xdf);
  }

  /** A length header: fix form below `fixLimit`, else the 8-, 16- or 32-bit form (0 = none). */
  private header(length: number, fix: number, fixLimit: number, op8: number, op16: number, op32: number): void {
    this.reserve(5);
    if (length < fixLimit) {
      this.buffer[this.position++] = fix | length;
    } else if (op8 !== 0 && length < 0x100) {
      this.buffer[this.position++] = op8;
      this.buffer[this.position++] = length;
    } else if (length < 0x10000) {
      this.buffer[this.position++] = op16;
      this.buffer.writeUInt16BE(length, this.position);
      this.position += 2;
    } else {
      this.buffer[this.position++] = op32;
      this.buffer.writeUInt32BE(length, this.position);
      this.position += 4;
    }
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.position);
    this.position += bytes.length;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.buffer[this.position++] = value;
  }

  private reserve(bytes: number): void {
    if (this.position + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + bytes));
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
  }
}

/** Containers kept in a short list before a Set is made: a call's frame has about four (issue #15). */
const LISTED_CONTAINERS = 16;

/**
 * Every container met so far, so that one reached twice (a cycle, or shared) is refused. The few
 * of a typical value are compared in a list; a Set, made only past LISTED_CONTAINERS, keeps a
 * large value's checks at constant cost each.
 */
class Containers {
  private readonly listed: object[] = [];
  private set: Set<object> | undefined;

  enter(container: object): void {
    if (this.set ? this.set.has(container) : this.listed.includes(container)) {
      throw new UnencodableValueError('The value has a cyclic or shared reference; only trees of objects can be sent.');
    }
    if (this.set) this.set.add(container);
    else if (this.listed.length < LISTED_CONTAINERS) this.listed.push(container);
    else this.set = new Set([...this.listed, container]);
  }
}
