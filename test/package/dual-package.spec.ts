import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/built-lib.js';
import { packPackage, unpackInto } from '../helpers/packed-package.js';

interface Entry {
  subpath: string;
  source: string;
  peers?: string[];
}
const { ENTRIES, packageFields } = (await import(pathToFileURL(join(repoRoot, 'scripts/package-entries.mjs')).href)) as {
  ENTRIES: Entry[];
  packageFields(): Record<string, unknown>;
};
const specifiers = ENTRIES.map((entry) => `nest-cluster${entry.subpath.slice(1)}`);

/** Optional peers that only a mode needs (ioredis for redis mode), not any entry. */
const { peerDependenciesMeta } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const entryPeers = new Set(ENTRIES.flatMap((entry) => entry.peers ?? []));
const modePeers = Object.keys(peerDependenciesMeta).filter((name) => peerDependenciesMeta[name]!.optional && !entryPeers.has(name));

const work = mkdtempSync(join(tmpdir(), 'nest-cluster-dual-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A project holding the packed package and, linked, every package of this checkout except the
 * optional peers of modes, which a user who does not use those modes lacks.
 */
const project = join(work, 'app');
let installed: string;
beforeAll(() => {
  const tarball = packPackage(work);
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name === '.bin' || name === '.package-lock.json') continue;
    if (name.startsWith('@')) {
      mkdirSync(join(project, 'node_modules', name));
      for (const scoped of readdirSync(join(repoRoot, 'node_modules', name))) {
        if (!modePeers.includes(`${name}/${scoped}`)) symlinkSync(join(repoRoot, 'node_modules', name, scoped), join(project, 'node_modules', name, scoped), 'dir');
      }
    } else if (!modePeers.includes(name)) {
      symlinkSync(join(repoRoot, 'node_modules', name), join(project, 'node_modules', name), 'dir');
    }
  }
  unpackInto(tarball, project);
  installed = join(project, 'node_modules', 'nest-cluster');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
}, 120_000);

function runNode(fixture: string, args: string[] = []): unknown {
  copyFileSync(join(repoRoot, 'test/package/fixtures', fixture), join(project, fixture));
  const run = spawnSync(process.execPath, [join(project, fixture), ...args], { cwd: project, encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

describe('the packed package', () => {
  it("has package.json's main, types, typesVersions and exports exactly as scripts/package-entries.mjs lists the entries", () => {
    const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const wanted = packageFields();
    for (const key of Object.keys(wanted)) expect(packed[key], key).toEqual(wanted[key]);
  });

  it('loads every entry through require() from dist/cjs and through import from dist/esm, with the same names and the very same objects', () => {
    const report = runNode('entries-both-ways.mjs', specifiers) as Record<string, Record<string, unknown>>;
    for (const specifier of specifiers) {
      const entry = report[specifier]!;
      expect(entry.required, specifier).toContain('/nest-cluster/dist/cjs/');
      expect(entry.imported, specifier).toContain('/nest-cluster/dist/esm/');
      expect(entry.names, specifier).toBeGreaterThan(0);
      expect(entry.onlyOneWay, specifier).toEqual([]);
      expect(entry.notIdentical, specifier).toEqual([]);
    }
  });

  it('is one copy in an app that mixes import and require: an imported decorator is found by the required module, the imported ClusterService token finds its instance, error classes match', () => {
    expect(runNode('one-copy.mjs')).toEqual({
      serviceByImportedToken: 'solo',
      importedDecoratorRan: true,
      errorClasses: { nodeNotFound: true, clusterError: true },
    });
  });

  it(`type-checks every entry from ESM and from CommonJS with skipLibCheck off and no optional peer of a mode installed (${modePeers.join(', ')})`, () => {
    expect(modePeers).toContain('ioredis');
    expect(modePeers).toContain('@kubernetes/client-node');
    const uses = ENTRIES.map((entry, i) => `import * as entry${i} from 'nest-cluster${entry.subpath.slice(1)}';\nexport const names${i} = Object.keys(entry${i});`).join('\n');
    const typed = `import type { ClusterModuleOptions } from 'nest-cluster';\nexport const options: ClusterModuleOptions = { mode: 'single', redis: { url: 'redis://localhost:6379' } };\n`;
    writeFileSync(join(project, 'consumer.mts'), `${uses}\n${typed}`);
    writeFileSync(join(project, 'consumer.cts'), `${uses}\n${typed}`);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
          experimentalDecorators: true,
        },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', project, '--listFiles'], {
      cwd: project,
      encoding: 'utf8',
    });
    const lines = tsc.stdout.split('\n');
    // Other libraries' own declarations are theirs to keep; only errors in ours count here.
    const ours = lines.filter((line) => /error TS/.test(line) && /nest-cluster\/|consumer\.[cm]ts/.test(line));
    expect(ours).toEqual([]);
    const loaded = lines.filter((line) => line.includes('/node_modules/nest-cluster/')).map((line) => relative(installed, line.trim()));
    for (const entry of ENTRIES) {
      expect(loaded).toContain(`dist/esm/${entry.source}.d.ts`);
      expect(loaded).toContain(`dist/cjs/${entry.source}.d.ts`);
    }
  });

  it('runs under Vitest in the project, where the test file imports it and a require() gets the same classes', () => {
    copyFileSync(join(repoRoot, 'test/package/fixtures/vitest-consumer.test.mjs'), join(project, 'vitest-consumer.test.mjs'));
    // A clean environment: the child is its own Vitest run, not a worker of this one.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS)/.test(key)));
    const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', project, 'vitest-consumer.test.mjs'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...env, NO_COLOR: '1' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+2 passed/);
  });

  it('ships the sources that its source maps and declaration maps name, and no spec files', () => {
    const maps = execFileSync('find', ['dist', '-name', '*.map'], { cwd: installed, encoding: 'utf8' }).trim().split('\n');
    expect(maps.some((map) => map.endsWith('.d.ts.map'))).toBe(true);
    expect(maps.some((map) => map.endsWith('.js.map'))).toBe(true);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const source of sources) {
        const file = resolve(installed, dirname(map), sourceRoot ?? '', source);
        if (!file.startsWith(`${installed}/`) || !existsSync(file)) missing.push(`${map} → ${source}`);
      }
    }
    expect(missing).toEqual([]);
    const specs = execFileSync('find', ['.', '-name', '*.spec.ts'], { cwd: installed, encoding: 'utf8' }).trim();
    expect(specs).toBe('');
  });
});
