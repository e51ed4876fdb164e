// npm run chaos -- --nodes 3|5 --cycles N --seed S [--mode cluster|redis|postgres|mysql|kubernetes]
// Real node processes in network namespaces, real faults, and the exact oracle over the timeline.
// Linux only, as root (network namespaces and iptables).
import { appendFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseChaosOptions } from './options.js';
import { detailLine, isSafe, summaryLine } from './report.js';
import { cleanUp, resourcesFor, runChaos } from './run.js';

const options = parseChaosOptions(process.argv.slice(2));
const runDir = options.out ?? mkdtempSync(join(tmpdir(), 'nest-cluster-chaos-'));
mkdirSync(runDir, { recursive: true });
const print = (line: string) => {
  console.log(line);
  appendFileSync(join(runDir, 'report.txt'), `${line}\n`);
};

// A prefix of this run's own for every namespace, veth and bridge: nothing else is ever touched.
const resources = resourcesFor(`nc${process.pid}`);
let cleaned = false;
const cleanOnce = () => {
  if (cleaned) return;
  cleaned = true;
  cleanUp(resources);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanOnce();
    console.error(`chaos: interrupted by ${signal}; cleaned up. Replay with --seed ${options.seed}`);
    process.exit(130);
  });
}
process.once('exit', cleanOnce);

print(`chaos: mode=${options.mode} nodes=${options.nodes} cycles=${options.cycles} seed=${options.seed} T=${options.electionTimeoutMs}ms run=${runDir}`);
try {
  const { verdict } = await runChaos(options, runDir, resources, print);
  const recoveriesT = verdict.recoveries.map((r) => (r === null ? null : r / options.electionTimeoutMs));
  const summary = { nodes: options.nodes, cycles: options.cycles, seed: options.seed, violations: verdict.violations, recoveriesT };
  print(detailLine(summary, options.mode, verdict.excusedDualTerms, runDir));
  print(summaryLine(summary));
  const unrecovered = recoveriesT.some((r) => r === null);
  process.exitCode = isSafe(verdict.violations) && !unrecovered ? 0 : 1;
} catch (error) {
  print(`chaos: the run failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 2;
} finally {
  cleanOnce();
}
