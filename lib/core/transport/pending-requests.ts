interface Pending {
  readonly parse: (body: unknown) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Requests this node sent over one connection and awaits the responses of, matched by id only
 * (DESIGN §6: never by time window). Every entry leaves by exactly one door: its response, its
 * deadline, or the connection's end.
 */
export class PendingRequests {
  private readonly requests = new Map<number, Pending>();

  get size(): number {
    return this.requests.size;
  }

  /**
   * Registers request `id`. Its promise resolves with `parse(body)` of the response, or rejects
   * with `onTimeout()` when `timeoutMs` passes first.
   */
  add<T>(id: number, timeoutMs: number, parse: (body: unknown) => T, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.requests.set(id, { parse, resolve: resolve as (value: unknown) => void, reject, timer });
    });
  }

  /**
   * Delivers a response; false when no such request is waiting (it timed out, or never existed).
   * The body is parsed first: a parser's throw (a ProtocolError for a malformed body) reaches the
   * caller with the request still waiting, so the link's end settles it like every other.
   */
  settle(id: number, body: unknown): boolean {
    const request = this.requests.get(id);
    if (!request) return false;
    const value = request.parse(body);
    this.take(id)?.resolve(value);
    return true;
  }

  failAll(error: () => Error): void {
    for (const id of [...this.requests.keys()]) this.take(id)?.reject(error());
  }

  private take(id: number): Pending | undefined {
    const request = this.requests.get(id);
    if (!request) return undefined;
    clearTimeout(request.timer);
    this.requests.delete(id);
    return request;
  }
}
