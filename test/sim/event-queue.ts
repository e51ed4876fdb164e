/** A binary min-heap of events ordered by true time, ties broken by insertion order. */
export class EventQueue<E extends { at: number; seq: number }> {
  private readonly heap: E[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(event: Omit<E, 'seq'>): void {
    const e = event as E;
    e.seq = this.seq++;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): E | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  private less(a: E, b: E): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}
