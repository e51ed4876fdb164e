import { fileURLToPath } from 'node:url';
import { callsBench } from './calls.js';
import { coldStartBench } from './cold-start.js';
import { failoverBench } from './failover.js';
import { flapsBench } from './flaps.js';
import { idleBench } from './idle.js';
import { redisBench } from './redis.js';
import { storesBench } from './stores.js';
import type { BenchOptions } from './support/options.js';

/**
 * `npm run bench [-- <bench>...] [--smoke] [--out <file>]`: runs the named benches (all by
 * default) one after another, printing markdown and writing each one's section of bench/RESULTS.md
 * (or of `--out`). `--smoke` runs each for seconds and writes nowhere unless `--out` is given.
 */
const BENCHES: Record<string, (options: BenchOptions) => Promise<void>> = {
  calls: callsBench,
  failover: failoverBench,
  'cold-start': coldStartBench,
  idle: idleBench,
  redis: redisBench,
  stores: storesBench,
  flaps: flapsBench,
};

function parse(argv: readonly string[]): { names: string[]; options: BenchOptions } {
  const names: string[] = [];
  let smoke = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--smoke') smoke = true;
    else if (arg === '--out') out = argv[++i];
    else if (arg in BENCHES) names.push(arg);
    else throw new Error(`bench: unknown argument "${arg}"; benches: ${Object.keys(BENCHES).join(', ')}; flags: --smoke, --out <file>`);
  }
  const defaultOut = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));
  return { names: names.length ? names : Object.keys(BENCHES), options: { smoke, out: out ?? (smoke ? undefined : defaultOut) } };
}

const { names, options } = parse(process.argv.slice(2));
for (const name of names) {
  const started = performance.now();
  process.stdout.write(`# bench ${name}${options.smoke ? ' (smoke)' : ''}\n\n`);
  await BENCHES[name]!(options);
  process.stdout.write(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);
}
// Sockets of a finished bench may linger in TIME_WAIT handlers; nothing else is left to do.
process.exit(0);
