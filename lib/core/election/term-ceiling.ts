/**
 * The range of Raft terms and lease fencing tokens (DESIGN §5, §6; issue #10 items 3 and 4).
 *
 * Terms and tokens are JavaScript numbers on the wire and in stores, so anything above 2^53 − 1
 * loses precision and `term + 1` stops being a new term. One message or one store value near that
 * limit used to end elections for good: every node adopted it, and the next campaign (or INCR) was
 * malformed. Two bounds prevent it:
 *
 * - MAX_TERM (2^48): a term or token above it is malformed. At one election per millisecond the
 *   cluster would need almost 9,000 years to get there.
 * - MAX_TERM_STEP (2^32): a term or token more than this above the highest one a node already knows
 *   is never adopted. A legitimate jump is the number of elections a node missed (it was down, or
 *   restarted without `dataDir`), which stays far below 2^32 (136 years at one per second). So no
 *   single message or store value can spend more than 1/65,536 of the range: elections always
 *   continue from whatever one bad value raised the term to.
 */
export const MAX_TERM = 2 ** 48;

/** See {@link MAX_TERM}: the most a term or token may rise above the highest one already known. */
export const MAX_TERM_STEP = 2 ** 32;

/** A well-formed term: an integer in [0, MAX_TERM]. */
export function isTerm(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_TERM;
}

/** Whether `term`, well-formed, may be adopted by a node whose highest known term is `known`. */
export function withinReach(term: number, known: number): boolean {
  return term <= known + MAX_TERM_STEP;
}

/** A fencing token from a lease store: positive, well-formed and within reach of `known`. */
export function isTokenWithinReach(value: unknown, known: number): value is number {
  return isTerm(value) && value >= 1 && withinReach(value, known);
}
