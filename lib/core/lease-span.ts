/**
 * DESIGN §4 "Detect fast, act safely": of a lease of `periodMs` measured on another node's clock
 * (or Redis's), a holder may act for periodMs·(1 − ρ) − δ on its own: the (1 − ρ) turns the other
 * clock into ours, the −δ pays for a tick the event loop runs late. Every lease in the product
 * (the Raft leader lease, the Redis lease, and the option checks of both) uses this one formula.
 */
export function usableLeaseMs(periodMs: number, clockDriftBound: number, eventLoopMarginMs: number): number {
  return periodMs * (1 - clockDriftBound) - eventLoopMarginMs;
}

/** The shortest lease whose usable part exceeds `mustOutlastMs`: the inverse of {@link usableLeaseMs}. */
export function leaseOutlastingMs(mustOutlastMs: number, clockDriftBound: number, eventLoopMarginMs: number): number {
  return (mustOutlastMs + eventLoopMarginMs) / (1 - clockDriftBound);
}
