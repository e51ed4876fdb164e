import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/built-lib.js';

const lib = join(repoRoot, 'lib');

/** Every import specifier of every source file under lib/, by path relative to lib/. */
function imports(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const entry of readdirSync(lib, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const source = readFileSync(path, 'utf8');
    const specifiers = [...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
    found.set(relative(lib, path), specifiers);
  }
  return found;
}

/** Files under `folder` with an import matching `forbidden`, as "file → specifier". */
function offenders(folder: string, forbidden: (specifier: string, file: string) => boolean): string[] {
  return [...imports()].flatMap(([file, specifiers]) =>
    file.startsWith(folder) ? specifiers.filter((s) => forbidden(s, file)).map((s) => `${file} → ${s}`) : [],
  );
}

describe('layers (ARCHITECTURE.md): dependencies point down, vendors stay in their entries', () => {
  it('nothing under lib/core imports Nest, prom-client or OpenTelemetry', () => {
    expect(offenders('core/', (s) => /^(@nestjs\/|prom-client$|@opentelemetry\/)/.test(s))).toEqual([]);
  });

  it('the transport never imports rpc', () => {
    expect(offenders('core/transport/', (s) => /(^|\/)rpc\//.test(s))).toEqual([]);
  });

  it('prom-client is imported only by nest-cluster/prometheus, @opentelemetry/* only by nest-cluster/tracing', () => {
    expect(offenders('', (s, file) => s === 'prom-client' && !file.startsWith('prometheus/'))).toEqual([]);
    expect(offenders('', (s, file) => s.startsWith('@opentelemetry/') && !file.startsWith('tracing/'))).toEqual([]);
  });

  it('finds the imports it checks (the scan itself works)', () => {
    const all = imports();
    expect(all.get('prometheus/activity-metrics.ts')).toContain('prom-client');
    expect(all.get('tracing/tracing-hooks.ts')).toContain('@opentelemetry/api');
    expect(all.get('core/rpc/call-client.ts')).toContain('../transport/transport.js');
  });
});
