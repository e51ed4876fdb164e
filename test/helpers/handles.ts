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
