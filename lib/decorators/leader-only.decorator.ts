import { Logger } from '@nestjs/common';
import { LEADER_ONLY } from '../cluster.constants.js';

/** What a @LeaderOnly method asks of the cluster its provider belongs to. */
export interface LeadershipProbe {
  /** Runs `job` as leader work if this node is the acting leader now; `undefined` if not. */
  callAsLeader<T>(name: string, job: () => T): { readonly value: T } | undefined;
}

const probes = new WeakMap<object, LeadershipProbe>();
const warned = new WeakSet<object>();
const logger = new Logger('Cluster');

/** Called by the explorer: ties a provider instance to its application's cluster. */
export function bindLeaderOnly(instance: object, probe: LeadershipProbe): void {
  probes.set(instance, probe);
}

/**
 * Lets the method run only on the acting leader; elsewhere a call is skipped and returns
 * `undefined`. Composes with `@nestjs/schedule` in either order, so an existing scheduled method
 * becomes a leader-only job with one line:
 *
 * @example
 * @Cron(CronExpression.EVERY_MINUTE)
 * @LeaderOnly()
 * async sendDigest() { ... }   // runs on one replica, the leader
 */
export const LeaderOnly = (): MethodDecorator => (_target, key, descriptor: PropertyDescriptor) => {
  const original = descriptor.value;
  if (typeof original !== 'function') {
    throw new TypeError(`@LeaderOnly() goes on a method; "${String(key)}" is not one.`);
  }
  const guarded = function (this: object, ...args: unknown[]) {
    const probe = probes.get(this);
    if (!probe) {
      if (!warned.has(this)) {
        warned.add(this);
        logger.warn(
          `@LeaderOnly ${this.constructor?.name}.${String(key)} was skipped: its provider is not bound to a ` +
            'cluster (import ClusterModule; request-scoped providers are not supported).',
        );
      }
      return undefined;
    }
    // DESIGN §3 leader work: the lease is checked on the clock, and a returned promise is drained
    // before leadership is handed over. The method's result and errors stay its caller's.
    const name = `${this.constructor?.name}.${String(key)}`;
    return probe.callAsLeader(name, () => original.apply(this, args))?.value;
  };
  // Metadata set by decorators applied before this one (e.g. @Cron below @LeaderOnly) lives on the
  // original function; carry it over so their explorers still find the method.
  for (const metaKey of Reflect.getOwnMetadataKeys(original)) {
    Reflect.defineMetadata(metaKey, Reflect.getOwnMetadata(metaKey, original), guarded);
  }
  Object.defineProperty(guarded, 'name', { value: original.name });
  Reflect.defineMetadata(LEADER_ONLY, true, guarded);
  descriptor.value = guarded;
  return descriptor;
};
