// `npm run build`: the package as users install it.
//
// One implementation, compiled to CommonJS (dist/cjs), and for every entry a thin ES module
// (dist/esm) that re-exports that same CommonJS module. An app that loads the package both ways
// (its own `import` beside a CommonJS dependency's or Jest's `require`) gets one copy: one
// ClusterService class as the injection token, one set of error classes for `instanceof`, one
// module options symbol. Two full builds would give two of each (the dual-package hazard).
//
// `--write-exports` rewrites package.json's main/types/typesVersions/exports from scripts/package-entries.mjs;
// without it the build fails when they differ.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CJS_DIR, ENTRIES, ESM_DIR, cjsFile, esmFile, packageFields } from './package-entries.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function compileCommonJs() {
  rmSync(join(root, CJS_DIR), { recursive: true, force: true });
  rmSync(join(root, ESM_DIR), { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.cjs.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  // The package is "type": "module"; these markers say what each folder holds whatever the root says.
  writeFileSync(join(root, CJS_DIR, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  mkdirSync(join(root, ESM_DIR), { recursive: true });
  writeFileSync(join(root, ESM_DIR, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
}

/** The path from an ESM wrapper to its CommonJS module, as an import specifier. */
function specifierFrom(entry) {
  const from = dirname(join(root, esmFile(entry)));
  const path = relative(from, join(root, cjsFile(entry))).split('\\').join(posix.sep);
  return path.startsWith('.') ? path : `./${path}`;
}

function writeEsmWrapper(entry) {
  const names = Object.keys(require(join(root, cjsFile(entry)))).filter((name) => name !== '__esModule').sort();
  const target = specifierFrom(entry);
  const header = `// nest-cluster${entry.subpath.slice(1)} as an ES module: the CommonJS build re-exported, so that\n// import and require share one copy of every class, symbol and registry.\n`;
  const js = `${header}import cjs from '${target}';\n\nexport const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = cjs;\n`;
  const dts = `${header}export * from '${target}';\n`;
  const file = join(root, esmFile(entry));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, js);
  writeFileSync(join(root, esmFile(entry, '.d.ts')), dts);
}

function checkPackageJson(write) {
  const path = join(root, 'package.json');
  const pkg = JSON.parse(readFileSync(path, 'utf8'));
  const wanted = packageFields();
  const differs = Object.entries(wanted).some(([key, value]) => JSON.stringify(pkg[key]) !== JSON.stringify(value));
  if (!differs) return;
  if (write) {
    Object.assign(pkg, wanted);
    writeFileSync(path, `${JSON.stringify(pkg, null, 2)}\n`);
    console.log(`package.json: ${Object.keys(wanted).join(', ')} rewritten from scripts/package-entries.mjs`);
    return;
  }
  console.error(
    `package.json's ${Object.keys(wanted).join(', ')} do not match scripts/package-entries.mjs; run \`npm run build -- --write-exports\`. Expected:\n${JSON.stringify(wanted, null, 2)}`,
  );
  process.exit(1);
}

checkPackageJson(process.argv.includes('--write-exports'));
compileCommonJs();
for (const entry of ENTRIES) writeEsmWrapper(entry);
