import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles lib/ for tests that run nodes as child processes. The output sits inside the
 * repository (so imports find node_modules), under dist/ (which git ignores), one folder per test
 * process; `remove()` deletes it.
 */
export function buildLib(name: string): { dir: string; remove(): void } {
  const dir = `${repoRoot}dist/${name}-${process.pid}`;
  execFileSync(process.execPath, [`${repoRoot}node_modules/typescript/bin/tsc`, '-p', `${repoRoot}tsconfig.build.json`, '--outDir', dir], {
    stdio: 'pipe',
  });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
