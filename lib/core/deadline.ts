import type { Clock } from './clock.js';

/**
 * Races `work` against a timer that is always cleared, so a settled call leaves no timer behind.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** Node's largest timer; a longer one fires after 1 ms with a TimeoutOverflowWarning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Something that waits in a DeadlineQueue: a request sent, or a request being served. */
export interface Expiring {
  /** When it expires, on the queue's clock; written by the queue. */
  deadlineAt: number;
  /** Its place in the queue, -1 while in none; written by the queue only. */
  queueIndex: number;
  /** Called once, when the deadline passes while it is still queued (it has left the queue by then). */
  expire(): void;
}

export interface TimerFunctions {
  setTimeout(callback: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(timer: NodeJS.Timeout): void;
}

const globalTimers: TimerFunctions = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};

/**
 * The deadlines of one node's requests, sent and served, under a single timer armed for the
 * earliest (issue #15): a call costs a heap insert and removal, not a setTimeout and clearTimeout
 * on each side. The queue is a binary min-heap whose entries know their place, so removing a
 * settled entry is O(log n) and nothing stale piles up; a peer choosing its deadlines in any order
 * cannot make an insert cost more than that.
 *
 * Expiry is judged on `clock`, never on the timer alone: a timer that fires before the clock has
 * reached the earliest deadline (Node measures timers from the loop's cached time) is re-armed for
 * the rest, so nothing expires early. While the queue is empty its timer holds no reference on the
 * event loop; `clear()` removes the timer.
 */
export class DeadlineQueue {
  private readonly heap: Expiring[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Clock time the armed timer is meant for. */
  private armedFor = Infinity;
  private referenced = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerFunctions = globalTimers,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Queues `entry` to expire `ms` from now. An entry may be in one queue at a time. */
  add(entry: Expiring, ms: number): void {
    const deadlineAt = this.clock.now() + ms;
    entry.deadlineAt = deadlineAt;
    const heap = this.heap;
    entry.queueIndex = heap.length;
    heap.push(entry);
    this.up(entry.queueIndex);
    if (deadlineAt < this.armedFor) this.arm(ms, deadlineAt);
    else if (!this.referenced) this.reference(true);
  }

  /** Takes `entry` out (it settled); false if it was not queued. */
  remove(entry: Expiring): boolean {
    const index = entry.queueIndex;
    const heap = this.heap;
    if (index < 0 || heap[index] !== entry) return false;
    entry.queueIndex = -1;
    const last = heap.pop()!;
    if (last !== entry) {
      heap[index] = last;
      last.queueIndex = index;
      this.down(index);
      this.up(last.queueIndex);
    }
    if (heap.length === 0 && this.referenced) this.reference(false);
    return true;
  }

  /** Forgets every entry without expiring any, and removes the timer (close). */
  clear(): void {
    for (const entry of this.heap) entry.queueIndex = -1;
    this.heap.length = 0;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.referenced = false;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.referenced = false;
    const now = this.clock.now();
    const heap = this.heap;
    // An entry's expire() may settle, add or remove others: take one at a time from the top.
    while (heap.length > 0 && heap[0]!.deadlineAt <= now) {
      const entry = heap[0]!;
      this.remove(entry);
      entry.expire();
    }
    // expire() may have queued later entries and armed the timer for them; the earliest decides.
    if (heap.length > 0 && heap[0]!.deadlineAt < this.armedFor) this.arm(heap[0]!.deadlineAt - now, heap[0]!.deadlineAt);
  };

  private arm(ms: number, deadlineAt: number): void {
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(this.fire, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(ms))));
    this.armedFor = deadlineAt;
    this.referenced = true;
  }

  private reference(on: boolean): void {
    this.referenced = on;
    if (!this.timer) return;
    if (on) this.timer.ref?.();
    else this.timer.unref?.();
  }

  private up(index: number): void {
    const heap = this.heap;
    const entry = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.deadlineAt <= entry.deadlineAt) break;
      heap[index] = parent;
      parent.queueIndex = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.queueIndex = index;
  }

  private down(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const entry = heap[index]!;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && heap[child + 1]!.deadlineAt < heap[child]!.deadlineAt) child++;
      const smaller = heap[child]!;
      if (smaller.deadlineAt >= entry.deadlineAt) break;
      heap[index] = smaller;
      smaller.queueIndex = index;
      index = child;
    }
    heap[index] = entry;
    entry.queueIndex = index;
  }
}
