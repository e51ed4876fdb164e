import { defineConfig } from 'vitest/config';
import './test/node20-compat.js';

export default defineConfig({
  // Nest resolves constructor parameters from `design:paramtypes`, so specs need legacy decorators
  // with emitted metadata, exactly as tsc emits them for users.
  oxc: {
    decorator: { legacy: true, emitDecoratorMetadata: true },
  },
  resolve: {
    alias: { 'nest-cluster': new URL('./lib/index.ts', import.meta.url).pathname },
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
