import { runSimulation, type ActingModel, type Persistence, type SimResult } from './simulation.js';

/**
 * npm run sim -- --seeds N --from S --nodes 3,5,7 --events E [--persist all|none|mixed] [--acting clock|flag] [--trace]
 *
 * Runs N seeds per cluster size. Progress goes to stderr; the last line of stdout is exactly
 * `seeds=<runs> violations=<count>`, and the exit code is 1 on any violation.
 */
function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (!key.startsWith('--')) throw new Error(`unexpected argument "${key}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args.set(key.slice(2), 'true');
    else args.set(key.slice(2), argv[++i]!);
  }
  return args;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const seeds = Number(args.get('seeds') ?? 100);
  const from = Number(args.get('from') ?? 1);
  const sizes = (args.get('nodes') ?? '3').split(',').map(Number);
  const events = Number(args.get('events') ?? 300);
  const persistence = args.get('persist') as Persistence | undefined;
  const acting = (args.get('acting') ?? 'clock') as ActingModel;
  const trace = args.has('trace');
  if (![seeds, from, events, ...sizes].every(Number.isInteger) || sizes.some((n) => n < 1) || !['clock', 'flag'].includes(acting)) {
    console.error('usage: npm run sim -- --seeds N --from S --nodes 3,5,7 --events E [--persist all|none|mixed] [--acting clock|flag] [--trace]');
    return 2;
  }
  let runs = 0;
  let violations = 0;
  let firstFailure: SimResult | undefined;
  for (const nodes of sizes) {
    const started = Date.now();
    let lastReport = started;
    let maxRecovery = 0;
    let minGap = Infinity;
    let steps = 0;
    for (let seed = from; seed < from + seeds; seed++) {
      const result = runSimulation({ seed, nodes, events, persistence, acting, trace: trace ? (l) => console.log(l) : undefined });
      runs++;
      steps += result.steps;
      minGap = Math.min(minGap, result.minHandoverGapMs);
      if (result.recoveryMs < Infinity) maxRecovery = Math.max(maxRecovery, result.recoveryMs);
      for (const v of result.violations) {
        console.log(`VIOLATION seed=${seed} nodes=${nodes} persist=${result.persistence} ${v.invariant} at ${v.at.toFixed(3)}: ${v.detail}`);
      }
      if (result.violations.length > 0) {
        violations += result.violations.length;
        firstFailure ??= result;
      }
      const now = Date.now();
      if (now - lastReport >= 2000) {
        lastReport = now;
        const done = seed - from + 1;
        process.stderr.write(`nodes=${nodes} ${done}/${seeds} seeds, ${((done * 1000) / (now - started)).toFixed(0)} seeds/s, violations ${violations}\n`);
      }
    }
    const secs = (Date.now() - started) / 1000;
    console.log(
      `nodes=${nodes}: ${seeds} seeds x ${events} events in ${secs.toFixed(1)} s (${(seeds / secs).toFixed(0)} seeds/s, ` +
        `${(steps / seeds).toFixed(0)} steps/seed), max recovery after heal ${maxRecovery.toFixed(0)} ms, ` +
        `min gap between two leaders' acting ${minGap.toFixed(1)} ms`,
    );
  }
  if (firstFailure) {
    const persist = persistence ? ` --persist ${persistence}` : '';
    const model = acting === 'clock' ? '' : ` --acting ${acting}`;
    console.log(`replay: npm run sim -- --seeds 1 --from ${firstFailure.seed} --nodes ${firstFailure.nodes} --events ${events}${persist}${model} --trace`);
  }
  console.log(`seeds=${runs} violations=${violations}`);
  return violations > 0 ? 1 : 0;
}

process.exitCode = main();
