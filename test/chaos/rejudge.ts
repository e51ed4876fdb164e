// node dist/test/chaos/rejudge.js <run dir>: the oracle again over a run's recorded timeline, as
// of this build (after a change to the oracle, or to read an old run). No namespaces, no root.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fact } from './facts.js';
import { judge, oracleOptions } from './oracle.js';
import { detailLine, isSafe, summaryLine } from './report.js';

const runDir = process.argv[2];
if (!runDir) throw new Error('usage: node dist/test/chaos/rejudge.js <run dir>');
// The run's first report line says how it was run: nodes, cycles, seed, T.
const header = readFileSync(join(runDir, 'report.txt'), 'utf8').split('\n')[0]!;
const field = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(header)?.[1]);
const T = field('T');
const mode = /mode=(\w+)/.exec(header)?.[1] ?? 'cluster';
const facts = readFileSync(join(runDir, 'timeline.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as Fact);
const until = facts.reduce((latest, f) => Math.max(latest, f.at), -Infinity);
const verdict = judge(facts, { ...oracleOptions(T), until });
const summary = {
  nodes: field('nodes'),
  cycles: facts.filter((f) => f.kind === 'heal').length,
  seed: field('seed'),
  violations: verdict.violations,
  recoveriesT: verdict.recoveries.map((r) => (r === null ? null : r / T)),
};
for (const v of verdict.violations) console.log(`${v.kind}: ${v.detail} at ${v.at.toFixed(3)}`);
console.log(detailLine(summary, mode, verdict.excusedDualTerms, runDir));
console.log(summaryLine(summary));
process.exitCode = isSafe(verdict.violations) ? 0 : 1;
