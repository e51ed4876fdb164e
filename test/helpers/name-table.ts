import type { LookupAddress } from 'node:dns';
import type { HostLookup } from '../../lib/core/transport/host-lookup.js';

/**
 * A DNS the test controls: names map to 127.0.0.x loopback aliases (Linux routes all of 127/8 to
 * `lo` without setup), a name can be moved or removed, and answers can be scripted per name
 * (a rejection, garbage, a promise that never settles) before the table's answer resumes.
 */
export class NameTable {
  private readonly addresses = new Map<string, string>();
  private readonly scripted = new Map<string, (() => Promise<unknown>)[]>();
  /** Every lookup asked, by name. */
  readonly asked = new Map<string, number>();

  set(name: string, address: string): this {
    this.addresses.set(name, address);
    return this;
  }

  delete(name: string): void {
    this.addresses.delete(name);
  }

  /** The next lookups of `name` answer these, in order, before the table's answer comes back. */
  script(name: string, ...answers: (() => Promise<unknown>)[]): void {
    this.scripted.set(name, [...(this.scripted.get(name) ?? []), ...answers]);
  }

  readonly lookup: HostLookup = (name) => {
    this.asked.set(name, (this.asked.get(name) ?? 0) + 1);
    const next = this.scripted.get(name)?.shift();
    if (next) return next() as Promise<LookupAddress>;
    const address = this.addresses.get(name);
    if (address === undefined) {
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    }
    return Promise.resolve({ address, family: 4 });
  };
}
