import { parseArgs } from 'node:util';

export interface ChaosOptions {
  readonly nodes: number;
  readonly cycles: number;
  readonly seed: number;
  readonly mode: 'cluster' | 'redis';
  /** T: cluster mode's election timeout; in redis mode the lease period (electionPeriod). */
  readonly electionTimeoutMs: number;
  /** The run directory; default a new one under os.tmpdir(). */
  readonly out: string | undefined;
  /** Self-test: nodes keep ticking after their leadership ends; the run must then fail. */
  readonly brokenKeepTicking: boolean;
  /** Only these nemesis kinds; default all of the mode. */
  readonly nemeses: readonly string[] | undefined;
}

const USAGE = 'usage: npm run chaos -- --nodes 3|5 --cycles N [--seed S] [--mode cluster|redis] [--election-timeout-ms T] [--out DIR] [--nemeses kind,kind]';

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '3' },
      cycles: { type: 'string', default: '20' },
      seed: { type: 'string' },
      mode: { type: 'string', default: 'cluster' },
      'election-timeout-ms': { type: 'string', default: '500' },
      out: { type: 'string' },
      'broken-keep-ticking': { type: 'boolean', default: false },
      nemeses: { type: 'string' },
    },
  });
  const int = (text: string, what: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`chaos: --${what} must be an integer ≥ ${min}, got "${text}". ${USAGE}`);
    return n;
  };
  const mode = values.mode;
  if (mode !== 'cluster' && mode !== 'redis') throw new Error(`chaos: --mode must be cluster or redis. ${USAGE}`);
  return {
    nodes: int(values.nodes!, 'nodes', 2),
    cycles: int(values.cycles!, 'cycles', 1),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int(values.seed, 'seed', 0),
    mode,
    electionTimeoutMs: int(values['election-timeout-ms']!, 'election-timeout-ms', 100),
    out: values.out,
    brokenKeepTicking: values['broken-keep-ticking']!,
    nemeses: values.nemeses?.split(',').filter(Boolean),
  };
}
