import { decodeValue } from './codec/value-decoder.js';
import { encodeValue } from './codec/value-encoder.js';

export { MalformedValueError } from './codec/value-decoder.js';
export { UnencodableValueError } from './codec/value-encoder.js';

/**
 * One encoding for the wire and for local calls, so that a value crosses a remote call and a local
 * call the same way: Date, Map, Set, BigInt, Buffer, typed arrays, Error and nested objects keep
 * their types; class instances arrive as plain objects; a cyclic or shared container is refused
 * (ERR_CLUSTER_INVALID_ARGUMENT). Every value decodes on its own: no records, no references, no
 * state from one frame to the next (issue #10; the format is in codec/wire-types.ts).
 */
export function encode(value: unknown, reserve = 0): Buffer {
  return encodeValue(value, reserve);
}

/** Throws MalformedValueError on anything our encoder would not have written. */
export function decode(bytes: Uint8Array): unknown {
  return decodeValue(bytes);
}

/** A deep copy with exactly the semantics of a trip over the wire. */
export function cloneAsOverWire<T>(value: T): T {
  return decode(encode(value)) as T;
}
