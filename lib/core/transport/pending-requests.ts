import type { DeadlineQueue, Expiring } from '../deadline.js';

/** Makes the error a request that passed its deadline rejects with. */
export type TimeoutReporter = (peer: string, timeoutMs: number, what: string) => Error;

/** One request awaiting its response; it is also its own entry in the node's deadline queue. */
class Pending implements Expiring {
  deadlineAt = 0;
  queueIndex = -1;
  resolve!: (value: unknown) => void;
  reject!: (error: Error) => void;

  constructor(
    readonly owner: PendingRequests,
    readonly id: number,
    readonly peer: string,
    readonly timeoutMs: number,
    readonly what: string,
    readonly parse: (body: unknown) => unknown,
    readonly deadlines: DeadlineQueue,
    readonly timedOut: TimeoutReporter,
  ) {}

  expire(): void {
    this.owner.forget(this.id);
    this.reject(this.timedOut(this.peer, this.timeoutMs, this.what));
  }
}

/**
 * Requests this node sent over one connection and awaits the responses of, matched by id only
 * (DESIGN §6: never by time window). Every entry leaves by exactly one door: its response, its
 * deadline (the node's DeadlineQueue), or the connection's end.
 */
export class PendingRequests {
  /**
   * By id, in an object used as a number dictionary rather than a Map (issue #15). Each time V8
   * rebuilds a Map's table (every few dozen calls, as ids come and go) the old table keeps a link
   * to the new one, for iterators; an old table that had reached the old generation then holds
   * every later table, and the requests in them, alive through each young-generation GC. With a
   * Map here 15 % of the calling side's allocations survived their first GC, against 1.5 %.
   */
  private readonly requests: Record<number, Pending | undefined> = Object.create(null) as Record<number, Pending | undefined>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Registers request `id`. Its promise resolves with `parse(body)` of the response, or rejects
   * with `timedOut(peer, timeoutMs, what)` when `timeoutMs` passes first.
   */
  add<T>(
    id: number,
    peer: string,
    request: { readonly timeoutMs: number; readonly what: string; readonly parse: (body: unknown) => T },
    deadlines: DeadlineQueue,
    timedOut: TimeoutReporter,
  ): Promise<T> {
    const pending = new Pending(this, id, peer, request.timeoutMs, request.what, request.parse, deadlines, timedOut);
    const promise = new Promise<T>((resolve, reject) => {
      pending.resolve = resolve as (value: unknown) => void;
      pending.reject = reject;
    });
    if (this.requests[id] === undefined) this.count++;
    this.requests[id] = pending;
    deadlines.add(pending, request.timeoutMs);
    return promise;
  }

  /**
   * Delivers a response; false when no such request is waiting (it timed out, or never existed).
   * The body is parsed first: a parser's throw (a ProtocolError for a malformed body) reaches the
   * caller with the request still waiting, so the link's end settles it like every other.
   */
  settle(id: number, body: unknown): boolean {
    const request = this.requests[id];
    if (!request) return false;
    const value = request.parse(body);
    this.take(id)?.resolve(value);
    return true;
  }

  failAll(error: () => Error): void {
    for (const id of Object.keys(this.requests)) this.take(Number(id))?.reject(error());
  }

  /** The entry's deadline passed: it has left the deadline queue already (Pending.expire). */
  forget(id: number): void {
    this.remove(id);
  }

  private take(id: number): Pending | undefined {
    const request = this.requests[id];
    if (!request) return undefined;
    request.deadlines.remove(request);
    this.remove(id);
    return request;
  }

  private remove(id: number): void {
    if (this.requests[id] === undefined) return;
    delete this.requests[id];
    this.count--;
  }
}
