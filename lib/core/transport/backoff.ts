/**
 * Delay before re-dial number `attempt` (0 for the first retry): capped exponential backoff with
 * full jitter, so nodes that lost the same peer do not all knock on its door at the same instant.
 * `random` returns a number in [0, 1); tests pass their own.
 */
export function redialDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
