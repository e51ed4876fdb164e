/**
 * The wire format of every frame after the handshake, and of local calls: MessagePack's plain types
 * (nil, bool, int, float64, str, bin, array, map with string keys) plus these private extension
 * types. They are ours alone: nothing is registered with msgpackr, whose extension table is
 * process-wide, so an application's own msgpackr use is untouched (issue #10).
 *
 * A "marker" is a fixext 1 (`0xd4 type 0x00`) followed by one ordinary value, its content.
 */
export const EXT = {
  /** Marker with no content. */
  undefined: 0x01,
  /** Marker; content: an array [k1, v1, k2, v2, ...]. */
  map: 0x02,
  /** Marker; content: an array of the members. */
  set: 0x03,
  /** Marker; content: an array [name, message, stack | nil, code | nil]. */
  error: 0x04,
  /** fixext 8: the time value in ms as a float64 (NaN for an invalid Date). */
  date: 0x05,
  /** ext: a sign byte (0 or 1), then the magnitude big-endian. */
  bigint: 0x06,
  /** ext: a kind byte (TYPED_ARRAY_KINDS index), then the bytes. */
  typedArray: 0x07,
} as const;

/** Kinds of binary value carried by EXT.typedArray; Buffer travels as plain `bin`. */
export const TYPED_ARRAY_KINDS = [
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
] as const;
export const ARRAY_BUFFER_KIND = 0x10;
export const DATA_VIEW_KIND = 0x11;

/**
 * Deepest nesting of containers (arrays, objects, Map, Set, Error) either way: bounds the stack
 * the decoder may use on a peer's behalf, and refuses a value the other side would refuse.
 */
export const MAX_DEPTH = 64;
