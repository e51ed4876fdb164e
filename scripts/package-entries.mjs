// The package's public entries: the one list that the build, package.json's `exports` and
// test/package/ all read. To add an entry, add a line here and run `npm run build -- --write-exports`.

/**
 * `subpath` is what users import (`nest-cluster/core`); `source` is its file under lib/, without
 * extension; `peers` are the optional peer dependencies that the entry itself needs. Every other
 * optional peer belongs to a mode (ioredis for redis mode), and test/package/ checks that no
 * entry's types need it.
 */
export const ENTRIES = [
  { subpath: '.', source: 'index' },
  { subpath: './core', source: 'core-api' },
  { subpath: './terminus', source: 'terminus/index', peers: ['@nestjs/terminus'] },
  { subpath: './prometheus', source: 'prometheus/index', peers: ['prom-client'] },
  { subpath: './tracing', source: 'tracing/index', peers: ['@opentelemetry/api'] },
];

/** Where the build puts the real implementation (CommonJS) and the thin ESM wrappers over it. */
export const CJS_DIR = 'dist/cjs';
export const ESM_DIR = 'dist/esm';

export function cjsFile(entry, ext = '.js') {
  return `./${CJS_DIR}/${entry.source}${ext}`;
}

export function esmFile(entry, ext = '.js') {
  return `./${ESM_DIR}/${entry.source}${ext}`;
}

/**
 * package.json's `main`, `types`, `typesVersions` and `exports` as the entries require. Each entry
 * has an `import` and a `require` branch with its own `types`, so TypeScript reads ESM
 * declarations for ESM importers and CommonJS ones for `require`. `typesVersions` is for projects
 * still on `moduleResolution: node10` (Nest's template before 11: `"module": "commonjs"`), which
 * never read `exports`; it maps each subpath to its CommonJS declarations.
 */
export function packageFields() {
  const exports = {};
  for (const entry of ENTRIES) {
    exports[entry.subpath] = {
      import: { types: esmFile(entry, '.d.ts'), default: esmFile(entry) },
      require: { types: cjsFile(entry, '.d.ts'), default: cjsFile(entry) },
    };
  }
  exports['./package.json'] = './package.json';
  const root = ENTRIES.find((entry) => entry.subpath === '.');
  const subpaths = ENTRIES.filter((entry) => entry !== root).map((entry) => [entry.subpath.slice(2), [cjsFile(entry, '.d.ts')]]);
  return { main: cjsFile(root), types: cjsFile(root, '.d.ts'), typesVersions: { '*': Object.fromEntries(subpaths) }, exports };
}
