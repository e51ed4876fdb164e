/**
 * Vitest 5 is written for Node 22 and calls a few ES2024 built-ins that Node 20 lacks
 * (Map.groupBy, Object.groupBy, Promise.withResolvers). The package itself supports Node 20.19,
 * so only the test runner gets these shims; nothing in lib/ relies on them.
 */
type Grouper = (item: unknown, index: number) => unknown;

function groupInto(items: Iterable<unknown>, by: Grouper, add: (key: unknown, item: unknown) => void): void {
  let index = 0;
  for (const item of items) add(by(item, index++), item);
}

const MapStatics = Map as unknown as Record<string, unknown>;
MapStatics.groupBy ??= (items: Iterable<unknown>, by: Grouper) => {
  const groups = new Map<unknown, unknown[]>();
  groupInto(items, by, (key, item) => (groups.get(key) ?? groups.set(key, []).get(key)!).push(item));
  return groups;
};

const ObjectStatics = Object as unknown as Record<string, unknown>;
ObjectStatics.groupBy ??= (items: Iterable<unknown>, by: Grouper) => {
  const groups: Record<PropertyKey, unknown[]> = Object.create(null);
  groupInto(items, by, (key, item) => (groups[key as PropertyKey] ??= []).push(item));
  return groups;
};

const PromiseStatics = Promise as unknown as Record<string, unknown>;
PromiseStatics.withResolvers ??= () => {
  let resolve!: (value: unknown) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

export {};
