import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './built-lib.js';

/** What `npm pack` needs to build the package (its prepack script) and to pack it. */
const PACKAGE_SOURCES = ['package.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'lib', 'scripts'];

/**
 * Builds and packs the package as `npm pack` does for a release, and returns the tarball's path in
 * `destination`. It runs in a copy of the sources (node_modules linked), so specs that pack at the
 * same time never read each other's half-written dist/.
 */
export function packPackage(destination: string): string {
  const stage = mkdtempSync(join(tmpdir(), 'nest-cluster-stage-'));
  try {
    for (const name of PACKAGE_SOURCES) {
      if (existsSync(join(repoRoot, name))) cpSync(join(repoRoot, name), join(stage, name), { recursive: true });
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', destination], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return join(destination, packed.trim().split('\n').at(-1)!);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Unpacks a tarball from `packPackage` as `<project>/node_modules/nest-cluster`. */
export function unpackInto(tarball: string, project: string): void {
  const target = join(project, 'node_modules', 'nest-cluster');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
}
