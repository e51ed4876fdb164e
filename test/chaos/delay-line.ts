/** A link's delay: every chunk waits `baseMs` plus a uniform draw in [0, `jitterMs`). */
export interface Delay {
  readonly baseMs: number;
  readonly jitterMs: number;
}

export const NO_DELAY: Delay = { baseMs: 0, jitterMs: 0 };

/**
 * When a chunk that arrived at `arrival` leaves: its own delay, but never before the chunk ahead of
 * it left (`previous`). One TCP stream must keep its byte order; the jitter reorders only what the
 * product could see reordered on a real network, messages on different connections or directions.
 */
export function deliveryAt(previous: number, arrival: number, delay: Delay, random: () => number): number {
  return Math.max(previous, arrival + delay.baseMs + delay.jitterMs * random());
}

export interface DelayLineEnds {
  /** The destination takes a chunk, `delayedMs` after it arrived under `delay`. */
  deliver(chunk: Buffer, delayedMs: number, delay: Delay): void;
  /** The source half-closed: half-close the destination, after everything before it. */
  end(): void;
  /** The source was reset: reset the destination, after everything before it. */
  reset(): void;
}

export interface DelayLineOptions {
  readonly now: () => number;
  readonly random: () => number;
  /** Read when a chunk arrives, so a new delay applies from the next chunk on. */
  readonly delay: () => Delay;
}

type Item = { readonly due: number; readonly arrival: number; readonly delay: Delay } & ({ readonly chunk: Buffer } | { readonly close: 'end' | 'reset' });

/**
 * One direction of one relayed connection: chunks in arrival order, each held until its delivery
 * time, then handed on in the same order. One timer, for the head of the queue: delivery times never
 * decrease along the queue. With no delay, and nothing queued, a chunk goes on at once.
 */
export class DelayLine {
  private readonly queue: Item[] = [];
  private lastDue = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bytes waiting in the queue, for backpressure. */
  queuedBytes = 0;

  constructor(
    private readonly options: DelayLineOptions,
    private readonly ends: DelayLineEnds,
  ) {}

  push(chunk: Buffer): void {
    this.enqueue({ chunk, ...this.times() });
    this.queuedBytes += chunk.length;
  }

  /** The source's FIN or RST, in the stream's order: after every chunk that came before it. */
  close(how: 'end' | 'reset'): void {
    this.enqueue({ close: how, ...this.times() });
  }

  /** The destination is gone: nothing more is delivered. */
  destroy(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  get pending(): number {
    return this.queue.length;
  }

  private times(): { due: number; arrival: number; delay: Delay } {
    const arrival = this.options.now();
    const delay = this.options.delay();
    const due = deliveryAt(this.lastDue, arrival, delay, this.options.random);
    this.lastDue = due;
    return { due, arrival, delay };
  }

  private enqueue(item: Item): void {
    if (this.closed) return;
    this.queue.push(item);
    if (this.queue.length === 1) this.flush();
  }

  private flush = (): void => {
    this.timer = undefined;
    const now = this.options.now();
    while (!this.closed && this.queue.length > 0 && this.queue[0]!.due <= now) {
      const item = this.queue.shift()!;
      if ('chunk' in item) {
        this.queuedBytes -= item.chunk.length;
        this.ends.deliver(item.chunk, now - item.arrival, item.delay);
      } else {
        this.closed = true;
        this.queue.length = 0;
        if (item.close === 'end') this.ends.end();
        else this.ends.reset();
      }
    }
    // setTimeout may fire up to a millisecond early (libuv keeps ms time): the loop then finds the
    // head not yet due and waits again, so nothing ever leaves before its time.
    if (!this.closed && this.queue.length > 0) this.timer = setTimeout(this.flush, Math.max(1, this.queue[0]!.due - now));
  };
}
