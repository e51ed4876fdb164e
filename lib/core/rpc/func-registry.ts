import { ClusterConfigError } from '../errors.js';
import type { CallContext } from './trace.js';

/** A function other nodes (and this one) may call by name. */
export type ClusterFunctionHandler<P = any, R = unknown> = (param: P, context: CallContext) => R | Promise<R>;

const NAME = /^[\w.:/-]{1,200}$/;

/** Functions registered on this node, by name. */
export class FuncRegistry {
  private readonly functions = new Map<string, ClusterFunctionHandler>();

  register(name: string, fn: ClusterFunctionHandler): void {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new ClusterConfigError(
        `Function name ${JSON.stringify(name)} is invalid; use 1-200 letters, digits, and _ . : / -.`,
      );
    }
    if (typeof fn !== 'function') {
      throw new ClusterConfigError(`registerFunc("${name}"): the handler must be a function.`);
    }
    if (this.functions.has(name)) {
      throw new ClusterConfigError(
        `Function "${name}" is already registered on this node; function names must be unique.`,
      );
    }
    this.functions.set(name, fn);
  }

  unregister(name: string): boolean {
    return this.functions.delete(name);
  }

  get(name: string): ClusterFunctionHandler | undefined {
    return this.functions.get(name);
  }

  get names(): string[] {
    return [...this.functions.keys()];
  }
}
