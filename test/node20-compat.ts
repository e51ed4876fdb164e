/**
 * Vitest 5 is written for Node 22 and calls a few ES2024 built-ins that Node 20 lacks
 * (Map.groupBy, Object.groupBy, Promise.withResolvers). The package itself supports Node 20.19,
 * so the test runner gets these shims; nothing in lib/ relies on them.
 */
type Grouper<T, K> = (item: T, index: number) => K;

if (typeof Map.groupBy !== 'function') {
  Map.groupBy = function <T, K>(items: Iterable<T>, by: Grouper<T, K>): Map<K, T[]> {
    const groups = new Map<K, T[]>();
    let index = 0;
    for (const item of items) {
      const key = by(item, index++);
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    return groups;
  } as typeof Map.groupBy;
}

if (typeof Object.groupBy !== 'function') {
  Object.groupBy = function <T, K extends PropertyKey>(items: Iterable<T>, by: Grouper<T, K>) {
    const groups = Object.create(null) as Record<K, T[]>;
    let index = 0;
    for (const item of items) (groups[by(item, index++)] ??= []).push(item);
    return groups;
  } as typeof Object.groupBy;
}

if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function <T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  } as typeof Promise.withResolvers;
}

export {};
