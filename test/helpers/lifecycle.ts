import { afterAll, afterEach, beforeAll } from 'vitest';

/**
 * Cleanups registered by a test, run after it in reverse order, every one even when one fails (an
 * unsafe oracle must not leak a server); the first error fails the test.
 */
export function useCleanups(): (cleanup: () => Promise<void>) => void {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    const errors: unknown[] = [];
    while (cleanups.length) await cleanups.pop()!().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw errors[0];
  });
  return (cleanup) => void cleanups.push(cleanup);
}

/** A server of the spec file's own, started once before its tests when `available`, disposed after. */
export function useServer<T extends { dispose(): Promise<void> }>(available: boolean, start: () => Promise<T>): () => T {
  let server: T | undefined;
  beforeAll(async () => {
    if (available) server = await start();
  }, 120_000);
  afterAll(async () => {
    await server?.dispose();
  });
  return () => server!;
}
