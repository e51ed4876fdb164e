import { Packr } from 'msgpackr';

/**
 * One encoding for the wire and for local calls, so that a value crosses a remote call and a local
 * call the same way: Date, Map, Set, BigInt, Buffer, typed arrays, Error and cycles survive;
 * class instances arrive as plain objects. Every frame is self-describing (no shared structures),
 * so any frame decodes on its own.
 */
const packr = new Packr({ structuredClone: true });

export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** A deep copy with exactly the semantics of a trip over the wire. */
export function cloneAsOverWire<T>(value: T): T {
  return decode(encode(value)) as T;
}
