/** A closed-open span of host time [from, to), ms. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** Sorted, disjoint spans covering the same instants as `spans`. */
export function merge(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out.at(-1);
    if (last && span.from <= last.to) out[out.length - 1] = { from: last.from, to: Math.max(last.to, span.to) };
    else out.push(span);
  }
  return out;
}

/** `spans` (merged) with every instant of `holes` removed. */
export function subtract(spans: readonly Span[], holes: readonly Span[]): Span[] {
  let rest = merge(spans);
  for (const hole of merge(holes)) {
    rest = rest.flatMap((s) => {
      if (hole.to <= s.from || hole.from >= s.to) return [s];
      const parts: Span[] = [];
      if (hole.from > s.from) parts.push({ from: s.from, to: hole.from });
      if (hole.to < s.to) parts.push({ from: hole.to, to: s.to });
      return parts;
    });
  }
  return rest;
}

/** The instants both merged lists share, as spans of positive length. */
export function intersect(a: readonly Span[], b: readonly Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]!.from, b[j]!.from);
    const to = Math.min(a[i]!.to, b[j]!.to);
    if (to > from) out.push({ from, to });
    if (a[i]!.to < b[j]!.to) i++;
    else j++;
  }
  return out;
}

/** Whether `at` lies in one of the merged (sorted, disjoint) spans: a binary search. */
export function covers(spans: readonly Span[], at: number): boolean {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (at < s.from) hi = mid - 1;
    else if (at >= s.to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** How long the merged spans cover of [from, to). */
export function coveredWithin(spans: readonly Span[], from: number, to: number): number {
  return intersect(spans, [{ from, to }]).reduce((sum, s) => sum + (s.to - s.from), 0);
}
