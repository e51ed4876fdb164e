import { defineConfig } from 'vitest/config';
import './test/node20-compat.js';

export default defineConfig({
  // Nest resolves constructor parameters from `design:paramtypes`, so specs need legacy decorators
  // with emitted metadata, exactly as tsc emits them for users.
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  resolve: {
    // Exact matches: the sample imports 'nest-cluster/terminus' as an application would.
    alias: [
      { find: /^nest-cluster$/, replacement: new URL('./lib/index.ts', import.meta.url).pathname },
      { find: /^nest-cluster\/terminus$/, replacement: new URL('./lib/terminus/index.ts', import.meta.url).pathname },
    ],
  },
  test: {
    include: ['lib/**/*.spec.ts', 'test/**/*.spec.ts'],
    // Projects with their own dependencies and test runners; test/consumers/run.sh runs them.
    exclude: ['**/node_modules/**', 'test/consumers/**'],
    setupFiles: ['./test/node20-compat.ts', 'reflect-metadata'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
