import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildLib } from '../helpers/built-lib.js';
import { hostMonotonicMs, JobCluster, type JobNode, type TickLine } from '../helpers/job-nodes.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue #9: after a freeze (SIGSTOP, a VM pause, a long GC) Node runs overdue timers in due order,
// so a leader job's timer can fire before the engine notices that the lease ran out. DESIGN §3
// (leader work): every leader-job run checks the lease against the clock before it starts.

/** Election timeout; the lease is T/2. Short enough for 30 freezes in about a minute. */
const T = 400;
const LEASE = T / 2;
const RESUMES = 30;
const deadline = { timeoutMs: 60 * T };

let built: ReturnType<typeof buildLib>;
beforeAll(() => void (built = buildLib('leader-pause-test')));
afterAll(() => built.remove());

const processes = new JobCluster();
afterEach(() => processes.kill());

interface Resume {
  node: string;
  /** The fencing token the node was ticking with when it was frozen. */
  token: number;
  stoppedAt: number;
  resumedAt: number;
}

/** The one node leading by its events that has ticked as leader at least `count` times since `since`. */
function tickingLeader(nodes: JobNode[], since = -Infinity, count = 3): JobNode | undefined {
  const leading = nodes.filter((n) => n.leading);
  if (leading.length !== 1) return undefined;
  const leader = leading[0]!;
  const from = Math.max(since, leader.lastSignMaster!.at);
  return leader.ticks.filter((t) => t.isLeader && t.at > from).length >= count ? leader : undefined;
}

/** Freezes `node` for `ms` of real time: the length of the fault, not a wait for a state. */
async function freeze(node: JobNode, ms: number): Promise<Omit<Resume, 'node' | 'token'>> {
  const stoppedAt = hostMonotonicMs();
  node.signal('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, ms));
  node.signal('SIGCONT');
  return { stoppedAt, resumedAt: hostMonotonicMs() };
}

/**
 * The oracle, over every tick of every node on the host's one monotonic clock. A tick's stamp is
 * taken when it starts, so the frozen window needs no special treatment: a frozen process prints
 * nothing stamped inside it.
 */
function judge(ticks: TickLine[], resumes: Resume[]) {
  const sorted = [...ticks].sort((a, b) => a.at - b.at);
  const stale = sorted.filter((t) => !t.isLeader || t.aborted);
  let regressions = 0;
  const late: TickLine[] = [];
  let highest = -Infinity;
  for (let i = 0; i < sorted.length; i++) {
    const tick = sorted[i]!;
    if (i > 0 && tick.token < sorted[i - 1]!.token) regressions++;
    if (tick.token < highest) late.push(tick);
    highest = Math.max(highest, tick.token);
  }
  const nodesOfToken = new Map<number, Set<string>>();
  for (const t of sorted) nodesOfToken.set(t.token, (nodesOfToken.get(t.token) ?? new Set()).add(t.node));
  const sharedTokens = [...nodesOfToken].filter(([, names]) => names.size > 1).map(([token]) => token);

  // Per freeze: did the resumed node tick on the lease it held when frozen, and had a successor
  // already ticked with a newer token by then?
  let resumesWithStaleTick = 0;
  let afterSuccessor = 0;
  let replaced = 0;
  const delays: number[] = [];
  for (const r of resumes) {
    const successor = sorted.find((t) => t.at > r.stoppedAt && t.token > r.token && t.node !== r.node);
    if (successor && successor.at < r.resumedAt) replaced++;
    const old = sorted.find((t) => t.node === r.node && t.at >= r.resumedAt && t.token === r.token && (!t.isLeader || t.aborted));
    if (!old) continue;
    resumesWithStaleTick++;
    delays.push(old.at - r.resumedAt);
    if (successor && successor.at < old.at) afterSuccessor++;
  }
  const figures = {
    staleTicks: stale.length,
    tokenRegressions: regressions,
    ticksBelowNewerToken: late.length,
    tokensOnTwoNodes: sharedTokens.length,
  };
  const range = delays.length ? ` ${Math.min(...delays).toFixed(2)}–${Math.max(...delays).toFixed(2)} ms after SIGCONT` : '';
  const first = stale[0] ?? late[0];
  const summary =
    `${resumes.length} resumes after freezes of 2–5× the ${LEASE} ms lease (${replaced} replaced by a successor during the freeze); ` +
    `${resumesWithStaleTick} resumes ran a tick on the old lease${range}, ${afterSuccessor} of them after the successor had ticked; ` +
    `${ticks.length} ticks in all: ${stale.length} stale (isLeader false: ${stale.filter((t) => !t.isLeader).length}, ` +
    `aborted: ${stale.filter((t) => t.aborted).length}), ${regressions} token regressions, ${late.length} ticks below a newer token, ` +
    `tokens ticking on two nodes: [${sharedTokens.join(', ')}]` +
    (first ? `; first bad tick: ${JSON.stringify(first)}` : '');
  return { figures, summary };
}

describe('a leader frozen past its lease (SIGSTOP, then SIGCONT)', () => {
  it(
    'runs no leader job on its old lease when it resumes, and fencing tokens of job runs never go backwards',
    async () => {
      const nodes = await processes.start({
        buildDir: built.dir,
        names: ['z1', 'z2', 'z3'],
        job: { kind: 'tick', everyMs: 10 },
        options: { electionTimeoutMs: T },
      });
      const resumes: Resume[] = [];
      for (let i = 0; i < RESUMES; i++) {
        let leader: JobNode | undefined;
        await waitFor(() => (leader = tickingLeader(nodes)) !== undefined, { ...deadline, what: `a ticking leader (freeze ${i + 1})` });
        const token = leader!.ticks.at(-1)!.token;
        const stall = LEASE * (2 + 3 * Math.random());
        const times = await freeze(leader!, stall);
        resumes.push({ node: leader!.name, token, ...times });
        await waitFor(() => tickingLeader(nodes, times.resumedAt) !== undefined, {
          ...deadline,
          what: `one leader ticking again after SIGCONT (freeze ${i + 1})`,
        });
      }
      const { figures, summary } = judge(nodes.flatMap((n) => n.ticks), resumes);
      console.log(summary);
      expect(figures, summary).toEqual({ staleTicks: 0, tokenRegressions: 0, ticksBelowNewerToken: 0, tokensOnTwoNodes: 0 });
    },
    300_000,
  );
});
