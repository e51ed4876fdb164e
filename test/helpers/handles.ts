/**
 * Counts of the resources that keep the event loop alive (timers, sockets, servers), to check
 * that close() leaves none of its own behind.
 */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Kinds whose count grew between two snapshots, e.g. `{ Timeout: 2 }`. */
export function leakedSince(before: Map<string, number>): Record<string, number> {
  const leaked: Record<string, number> = {};
  for (const [kind, count] of activeResources()) {
    const grown = count - (before.get(kind) ?? 0);
    if (grown > 0) leaked[kind] = grown;
  }
  return leaked;
}

/**
 * Resolves once nothing is left over since `before`. A closed socket or server leaves the list a
 * loop turn after its close callback (libuv frees the handle then), so this polls briefly before
 * reporting what is still there; anything left after the deadline is a real leak.
 */
export async function leftOverSince(before: Map<string, number>, timeoutMs = 2000): Promise<Record<string, number>> {
  const deadline = performance.now() + timeoutMs;
  let leaked = leakedSince(before);
  while (Object.keys(leaked).length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    leaked = leakedSince(before);
  }
  return leaked;
}
