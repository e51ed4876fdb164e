import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { encode } from '../codec.js';
import { ProtocolError } from '../errors.js';
import { parseHandshakeFrame } from './handshake-decoding.js';
import { PROTOCOL_VERSION } from './protocol.js';

const hello = { type: 'hello', version: PROTOCOL_VERSION, cluster: 'c'.repeat(64), node: 'n1', nonce: randomBytes(32) };

function outcome(bytes: Uint8Array): { ms: number; error: unknown } {
  const start = performance.now();
  try {
    parseHandshakeFrame(bytes);
    return { ms: performance.now() - start, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

describe('the strict handshake decoding (issue #10: nothing a stranger sends reaches a general decoder)', () => {
  it('reads the hello and auth messages a node sends', () => {
    expect(parseHandshakeFrame(encode(hello))).toEqual(hello);
    const longName = { ...hello, node: 'n'.repeat(300) };
    expect(parseHandshakeFrame(encode(longName))).toEqual(longName);
    const proof = randomBytes(32);
    expect(parseHandshakeFrame(encode({ type: 'auth', proof }))).toEqual({ type: 'auth', proof });
  });

  it('finding 1: refuses a shared-reference DAG bomb, with a trailer or inside an Error extension, at once', () => {
    let node: unknown = 'x';
    for (let i = 0; i < 22; i++) node = { l: node, r: node };
    const bomb = new Packr({ structuredClone: true }).pack(node);
    for (const bytes of [Buffer.concat([bomb, Buffer.from([0xc0])]), Buffer.concat([Buffer.from([0xd4, 0x65, 0x00]), bomb])]) {
      const { ms, error } = outcome(bytes);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).reason).toBe('malformed-frame');
      expect(ms).toBeLessThan(250);
    }
  });

  it('finding 2: refuses record definitions, nesting and extensions', () => {
    const cases = [
      Buffer.from([0xd4, 0x72, 0x05, 0x91, 0xa1, 0x61, 0x01]), // record definition, low id
      new Packr({ useRecords: true }).pack({ type: 'hello' }),
      encode({ type: 'hello', nested: { a: 1 } }),
      encode({ type: 'hello', when: new Date(0) }),
      encode({ type: 'hello', list: [1] }),
    ];
    for (const bytes of cases) expect(() => parseHandshakeFrame(bytes)).toThrow(ProtocolError);
  });

  it('turns random and mutated frames into a message or a ProtocolError, within a few ms per KiB', () => {
    const valid = encode(hello);
    const mutated = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }).map((flips) => {
      const bytes = Buffer.from(valid);
      for (const [at, byte] of flips) bytes[at % bytes.length] = byte;
      return bytes;
    });
    let totalMs = 0;
    let totalBytes = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), mutated), (bytes) => {
        const { ms, error } = outcome(bytes);
        totalMs += ms;
        totalBytes += bytes.length;
        if (error !== undefined) expect(error).toBeInstanceOf(ProtocolError);
      }),
      { numRuns: 3000 },
    );
    expect(totalMs / Math.max(1, totalBytes / 1024)).toBeLessThan(2);
  });
});
