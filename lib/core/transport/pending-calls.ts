import type { CallOutcome } from '../rpc/function-runner.js';

interface Pending {
  readonly resolve: (outcome: CallOutcome) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Calls this node made over one connection and awaits the results of, matched by id only. Every
 * entry leaves by exactly one door: its result, its deadline, or the connection's end.
 */
export class PendingCalls {
  private readonly calls = new Map<number, Pending>();

  get size(): number {
    return this.calls.size;
  }

  /** Registers call `id`; its promise rejects with `onTimeout()` when `timeoutMs` passes first. */
  add(id: number, timeoutMs: number, onTimeout: () => Error): Promise<CallOutcome> {
    return new Promise<CallOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id);
        reject(onTimeout());
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
    });
  }

  /** Delivers a result; false when no such call is waiting (it timed out, or never existed). */
  settle(id: number, outcome: CallOutcome): boolean {
    const call = this.take(id);
    call?.resolve(outcome);
    return call !== undefined;
  }

  fail(id: number, error: Error): void {
    this.take(id)?.reject(error);
  }

  failAll(error: () => Error): void {
    for (const id of [...this.calls.keys()]) this.fail(id, error());
  }

  private take(id: number): Pending | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    clearTimeout(call.timer);
    this.calls.delete(id);
    return call;
  }
}
