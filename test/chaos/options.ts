import { parseArgs } from 'node:util';

/** The modes whose leader holds a lease in a store (DESIGN §5); the store's member is named by its mode. */
export const STORE_MODES = ['redis', 'postgres', 'mysql', 'kubernetes'] as const;
export type StoreMode = (typeof STORE_MODES)[number];
export type ChaosMode = 'cluster' | StoreMode;
const MODES: readonly string[] = ['cluster', ...STORE_MODES];

export interface ChaosOptions {
  readonly nodes: number;
  readonly cycles: number;
  readonly seed: number;
  readonly mode: ChaosMode;
  /**
   * T: cluster mode's election timeout; in the store modes the lease period (electionPeriod),
   * whole seconds in kubernetes mode (leaseDurationSeconds), so 1000 ms there by default.
   */
  readonly electionTimeoutMs: number;
  /** The run directory; default a new one under os.tmpdir(). */
  readonly out: string | undefined;
  /** Self-test: nodes keep ticking after their leadership ends; the run must then fail. */
  readonly brokenKeepTicking: boolean;
  /** Only these nemesis kinds; default all of the mode. */
  readonly nemeses: readonly string[] | undefined;
}

const USAGE = 'usage: npm run chaos -- --nodes 3|5 --cycles N [--seed S] [--mode cluster|redis|postgres|mysql|kubernetes] [--election-timeout-ms T] [--out DIR] [--nemeses kind,kind]';

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string', default: '3' },
      cycles: { type: 'string', default: '20' },
      seed: { type: 'string' },
      mode: { type: 'string', default: 'cluster' },
      'election-timeout-ms': { type: 'string' },
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
  const mode = values.mode as ChaosMode;
  if (!MODES.includes(mode)) throw new Error(`chaos: --mode must be one of ${MODES.join(', ')}. ${USAGE}`);
  const T = int(values['election-timeout-ms'] ?? (mode === 'kubernetes' ? '1000' : '500'), 'election-timeout-ms', 100);
  if (mode === 'kubernetes' && T % 1000 !== 0) throw new Error(`chaos: in kubernetes mode T is a Lease's duration, whole seconds; got ${T} ms. ${USAGE}`);
  return {
    nodes: int(values.nodes!, 'nodes', 2),
    cycles: int(values.cycles!, 'cycles', 1),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : int(values.seed, 'seed', 0),
    mode,
    electionTimeoutMs: T,
    out: values.out,
    brokenKeepTicking: values['broken-keep-ticking']!,
    nemeses: values.nemeses?.split(',').filter(Boolean),
  };
}
