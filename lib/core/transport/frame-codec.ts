import { decode, encode } from '../codec.js';
import { ProtocolError } from '../errors.js';

/** Bytes of the big-endian length that precedes every frame body. */
export const FRAME_HEADER_BYTES = 4;

/** One frame: a 4-byte big-endian body length, then the body (codec.ts). */
export function encodeFrame(value: unknown): Buffer {
  const frame = encode(value, FRAME_HEADER_BYTES);
  frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 0);
  return frame;
}

/** A frame around an already encoded (or sealed) body. */
export function frameOf(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  frame.set(body, FRAME_HEADER_BYTES);
  return frame;
}

/**
 * Turns a byte stream, cut into chunks anywhere, back into decoded frame bodies.
 *
 * Chunks are queued as they came and each byte is copied at most once (a body that sits inside one
 * chunk is not copied at all), so a frame dribbled in byte by byte costs linear, not quadratic,
 * time. A length over `maxFrameBytes` is refused as soon as its 4 bytes arrive, before any of the
 * body is buffered: a hostile 4 GiB prefix costs nothing.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Index of the first unread chunk; consumed chunks are dropped in batches, not one by one. */
  private head = 0;
  /** Read position inside `chunks[head]`. */
  private offset = 0;
  private buffered = 0;
  /** Length of the body being waited for, once its header has been read. */
  private bodyLength: number | undefined;

  /**
   * The largest body accepted. May change between frames: a connection allows only small frames
   * until its handshake is done, so a stranger cannot make it buffer megabytes.
   */
  constructor(public maxFrameBytes: number) {}

  /** Bytes received but not yet returned as frames. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk and returns every frame body it completes; throws ProtocolError on a bad frame. */
  push(chunk: Uint8Array): unknown[] {
    this.feed(chunk);
    const frames: unknown[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame.body);
    return frames;
  }

  /** Adds a chunk without decoding anything yet; `next()` takes the frames out one by one. */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.buffered += chunk.length;
  }

  /** The next complete frame body, decoded, or undefined until more bytes come; throws ProtocolError. */
  next(): { body: unknown } | undefined {
    const bytes = this.nextBody();
    return bytes && { body: decodeBody(bytes) };
  }

  /**
   * The next complete frame body as bytes, not decoded: before its handshake a connection's frames
   * go to the strict handshake decoding only, and sealed frames must be opened first.
   */
  nextBody(): Buffer | undefined {
    if (this.bodyLength === undefined) {
      if (this.buffered < FRAME_HEADER_BYTES) return undefined;
      const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
      if (length > this.maxFrameBytes) {
        throw new ProtocolError('frame-too-large', `Frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}.`);
      }
      this.bodyLength = length;
    }
    if (this.buffered < this.bodyLength) return undefined;
    const body = this.take(this.bodyLength);
    this.bodyLength = undefined;
    return body;
  }

  /** Removes `n` buffered bytes (n <= buffered), copying only when they span chunks. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.head]!;
      const count = Math.min(n - filled, chunk.length - this.offset);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.advance(count);
    }
    return out;
  }

  private advance(n: number): void {
    this.offset += n;
    this.buffered -= n;
    if (this.offset === this.chunks[this.head]!.length) {
      this.head++;
      this.offset = 0;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
        this.chunks = this.chunks.slice(this.head);
        this.head = 0;
      }
    }
  }
}

/** A session frame's body as a value; anything our encoder would not write is a ProtocolError. */
export function decodeBody(body: Uint8Array): unknown {
  if (body.length === 0) throw new ProtocolError('malformed-frame', 'Empty frame body.');
  try {
    return decode(body);
  } catch (error) {
    throw new ProtocolError(
      'malformed-frame',
      `Frame body is not a valid value: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
