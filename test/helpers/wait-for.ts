/**
 * Polls `condition` until it holds or `timeoutMs` passes. Tests wait for a state, never for a
 * fixed time; the deadline is generous because CI machines are slow, and it is never asserted.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 5, what = 'condition' } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
