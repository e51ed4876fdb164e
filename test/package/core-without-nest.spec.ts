import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/built-lib.js';
import { packPackage, unpackInto } from '../helpers/packed-package.js';

const work = mkdtempSync(join(tmpdir(), 'nest-cluster-core-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A consumer project holding only the packed package and what it needs without Nest: its
 * dependencies and the rxjs peer. No @nestjs/* exists there, so an import of Nest anywhere on the
 * `nest-cluster/core` path fails the load.
 */
function consumerProject(): string {
  const app = join(work, 'app');
  const modules = join(app, 'node_modules');
  unpackInto(packPackage(work), app);
  // Only the package's own dependencies and the rxjs peer, copied from this checkout.
  for (const name of ['cron', 'luxon', '@types/luxon', 'rxjs', 'tslib']) {
    cpSync(join(repoRoot, 'node_modules', name), join(modules, name), { recursive: true, dereference: true });
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
  return app;
}

describe('nest-cluster/core', () => {
  it('loads and runs a single-mode cluster in a project without any @nestjs package', () => {
    const app = consumerProject();
    const script = `
      import { createCluster, ClusterError } from 'nest-cluster/core';
      let nest = 'absent';
      try { await import('@nestjs/common'); nest = 'present'; } catch {}
      const cluster = createCluster({ mode: 'single', nodeName: 'solo' });
      await cluster.startUp();
      const leading = cluster.isLeader();
      await cluster.close();
      console.log(JSON.stringify({ nest, leading, errors: typeof ClusterError }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/Cannot find (module|package)/);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ nest: 'absent', leading: true, errors: 'function' });
  });
});
