import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { encodeFrame, FrameDecoder } from './frame-codec.js';

const MAX = 64 * 1024;

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ProtocolError ? error.reason : `not a ProtocolError: ${String(error)}`;
  }
  return undefined;
}

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, min: 0.5 }))),
  fc.array(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), { maxLength: 5 }).map((a) => new Set(a)),
);

describe('FrameDecoder', () => {
  it('returns the same values whatever the chunking of the stream', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (values, offsets) => {
          const stream = Buffer.concat(values.map((v) => encodeFrame(v)));
          const decoder = new FrameDecoder(MAX);
          const out = cut(stream, offsets).flatMap((piece) => decoder.push(piece));
          expect(out).toEqual(values);
          expect(decoder.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a stream fed one byte at a time', () => {
    const values = [{ a: 1 }, 'x'.repeat(1000), new Map([[1, 2]])];
    const stream = Buffer.concat(values.map((v) => encodeFrame(v)));
    const decoder = new FrameDecoder(MAX);
    const out: unknown[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(out).toEqual(values);
  });

  it('refuses any length over maxFrameBytes as soon as the 4-byte prefix is in, buffering nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX + 1, max: 2 ** 32 - 1 }), fc.nat(3), (length, split) => {
        const header = Buffer.alloc(4);
        header.writeUInt32BE(length, 0);
        const decoder = new FrameDecoder(MAX);
        decoder.push(header.subarray(0, split));
        expect(reasonOf(() => decoder.push(header.subarray(split)))).toBe('frame-too-large');
      }),
    );
  });

  it('refuses a 4 GiB length prefix at once', () => {
    const decoder = new FrameDecoder(16 * 1024 * 1024);
    expect(reasonOf(() => decoder.push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3])))).toBe('frame-too-large');
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    const frame = encodeFrame(Buffer.alloc(MAX - 3)); // bin16: 3 bytes of msgpack header
    expect(frame.length - 4).toBe(MAX);
    expect(new FrameDecoder(MAX).push(frame)).toHaveLength(1);
  });

  it('applies a changed limit from the next frame on', () => {
    const decoder = new FrameDecoder(16);
    decoder.feed(Buffer.concat([encodeFrame('tiny'), encodeFrame('x'.repeat(100))]));
    expect(decoder.next()).toEqual({ body: 'tiny' });
    decoder.maxFrameBytes = MAX;
    expect(decoder.next()).toEqual({ body: 'x'.repeat(100) });
    expect(decoder.next()).toBeUndefined();
  });

  it('refuses a body that is not msgpack, and an empty body', () => {
    // An array of two announced, one present.
    expect(reasonOf(() => new FrameDecoder(MAX).push(Buffer.from([0, 0, 0, 2, 0x92, 1])))).toBe('malformed-frame');
    expect(reasonOf(() => new FrameDecoder(MAX).push(Buffer.from([0, 0, 0, 0])))).toBe('malformed-frame');
  });

  it('never throws anything but a ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const reason = reasonOf(() => new FrameDecoder(MAX).push(bytes));
        expect(reason === undefined || !reason.startsWith('not a')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
