import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The benches are not run in CI, but each must still run: build the package and the bench into
 * dist/ (ignored), run every bench for seconds, and check that each wrote a table with numbers.
 * Nothing here asserts a duration or a target.
 */
describe('npm run bench -- --smoke', () => {
  it('runs every bench and records a table of numbers for each', () => {
    const build = spawnSync('npm', ['run', 'build:bench'], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stdout + build.stderr).toBe(0);

    const out = join(dir, 'RESULTS.md');
    const run = spawnSync(process.execPath, ['dist/bench/main.js', '--smoke', '--out', out], {
      cwd: root,
      encoding: 'utf8',
      timeout: 140_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);

    const results = readFileSync(out, 'utf8');
    for (const bench of ['calls', 'failover', 'cold-start', 'idle', 'redis', 'stores', 'flaps']) {
      const section = results.slice(results.indexOf(`<!-- bench:${bench} -->`), results.indexOf(`<!-- /bench:${bench} -->`));
      expect(section, bench).toMatch(/Node v\d+/);
      // Without redis-server on PATH the redis bench says so instead of measuring.
      if (bench === 'redis' && section.includes('Skipped: no `redis-server`')) continue;
      if (bench === 'stores' && section.includes('Skipped: neither PostgreSQL')) continue;
      const rows = section.split('\n').filter((line) => line.startsWith('|') && !line.startsWith('| ---'));
      // A header and at least one row whose cells hold numbers.
      expect(rows.length, bench).toBeGreaterThan(1);
      expect(rows.slice(1).some((row) => /\|\s*[\d,]+(\.\d+)?\s*\|/.test(row)), bench).toBe(true);
      // Issue #15: cold start and crash failover are measured beside @markwylde/liferaft.
      if (bench === 'cold-start' || bench === 'failover') {
        expect(rows.some((row) => /\| liferaft \|.*\|\s*[\d,]+(\.\d+)?\s*\|/.test(row)), bench).toBe(true);
      }
    }
  }, 240_000);
});
