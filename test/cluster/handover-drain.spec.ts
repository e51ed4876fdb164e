import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../lib/core/cluster.js';
import { DefaultCaller } from '../../lib/core/jobs/default-caller.js';
import { DefaultJobTracker } from '../../lib/core/jobs/default-job-tracker.js';
import { createCluster } from '../../lib/create-cluster.js';
import { buildLib } from '../helpers/built-lib.js';
import { hostMonotonicMs, JobCluster, type JobNode, type JobSpec } from '../helpers/job-nodes.js';
import { waitFor } from '../helpers/wait-for.js';

// Issue #9, second half: close() (SIGTERM in Nest) sent TimeoutNow before the leader's running
// jobs were awaited, so the successor started while the old run was still going. DESIGN §3
// (leader work) and §4 (leadership transfer): the leader stops acting, its runs are aborted and
// drained, bounded by shutdownTimeoutMs, and only then is leadership handed over.

const T = 500;
/** A leader-job run that ignores its abort signal. */
const RUN_MS = 1500;
const deadline = { timeoutMs: 60 * T };

let built: ReturnType<typeof buildLib>;
beforeAll(() => void (built = buildLib('handover-drain-test')));
afterAll(() => built.remove());

const processes = new JobCluster();
afterEach(() => processes.kill());

/** The one node leading by its events, in the middle of a job run it started as leader. */
function leaderMidRun(nodes: JobNode[]): JobNode | undefined {
  const leading = nodes.filter((n) => n.leading);
  if (leading.length !== 1) return undefined;
  const leader = leading[0]!;
  const lastLine = leader.lines.filter((l) => l.kind === 'run-start' || l.kind === 'run-end').at(-1);
  return lastLine?.kind === 'run-start' && lastLine.at > leader.lastSignMaster!.at ? leader : undefined;
}

/**
 * Starts three slow-job nodes, SIGTERMs the leader in the middle of a run, and returns what the
 * old leader and the first node to lead after it printed, on the host's monotonic clock.
 */
async function handOverMidRun(job: JobSpec, shutdownTimeoutMs: number) {
  const nodes = await processes.start({ buildDir: built.dir, names: ['h1', 'h2', 'h3'], job, options: { electionTimeoutMs: T, shutdownTimeoutMs } });
  let old: JobNode | undefined;
  await waitFor(() => (old = leaderMidRun(nodes)) !== undefined, { ...deadline, what: 'a leader in the middle of a job run' });
  const terminatedAt = hostMonotonicMs();
  old!.signal('SIGTERM');

  const rest = nodes.filter((n) => n !== old);
  const signMaster = (n: JobNode) => n.events.find((e) => e.type === 'SignMaster' && e.at > terminatedAt);
  const firstRun = (n: JobNode) => n.of('run-start').find((r) => r.at > terminatedAt);
  let successor: JobNode | undefined;
  await waitFor(() => (successor = rest.find((n) => signMaster(n) && firstRun(n))) !== undefined, {
    ...deadline,
    what: 'a successor running its first job',
  });
  await waitFor(() => old!.lines.some((l) => l.kind === 'closed'), { ...deadline, what: 'the old leader to close' });
  const started = successor!.of('started').find((s) => s.at > terminatedAt)!;
  // Read after 'closed', so every line the old leader printed before SIGTERM has arrived.
  const oldRun = old!.of('run-start').filter((r) => r.at < terminatedAt).at(-1)!;
  return {
    terminatedAt,
    oldRun,
    oldRunEnd: () => old!.of('run-end').find((e) => e.at > oldRun.at),
    successor: { name: successor!.name, signMaster: signMaster(successor!)!.at, started: started.at, firstRun: firstRun(successor!)!.at },
  };
}

/** Which of the successor's starts came before `bound`, with the times after SIGTERM for the message. */
function startsBefore(bound: number, hand: Awaited<ReturnType<typeof handOverMidRun>>, boundName: string) {
  const { successor, terminatedAt } = hand;
  const since = (at: number) => `${(at - terminatedAt).toFixed(1)} ms`;
  const early = {
    signMaster: successor.signMaster < bound,
    onStartedLeading: successor.started < bound,
    firstJobRun: successor.firstRun < bound,
  };
  const message =
    `after SIGTERM: ${boundName} at ${since(bound)}; successor ${successor.name} SignMaster at ${since(successor.signMaster)}, ` +
    `onStartedLeading at ${since(successor.started)}, first job run at ${since(successor.firstRun)}`;
  return { early, message };
}

describe('graceful hand-over (SIGTERM → close()) drains the leader job first', () => {
  it(
    "the successor starts leading only after the old leader's running job has ended",
    async () => {
      const hand = await handOverMidRun({ kind: 'slow', everyMs: 10, runMs: RUN_MS }, 4 * RUN_MS);
      await waitFor(() => hand.oldRunEnd() !== undefined, { ...deadline, what: "the old leader's run to end" });
      const { early, message } = startsBefore(hand.oldRunEnd()!.at, hand, "the old leader's run-end");
      console.log(message);
      expect(early, message).toEqual({ signMaster: false, onStartedLeading: false, firstJobRun: false });
    },
    120_000,
  );

  it(
    'a job that outlives shutdownTimeoutMs delays the hand-over by that bound, not forever',
    async () => {
      const shutdownTimeoutMs = 1000;
      // The run never ends; the successor must still take over once the bound has passed.
      const hand = await handOverMidRun({ kind: 'slow', everyMs: 10, runMs: null }, shutdownTimeoutMs);
      const { early, message } = startsBefore(hand.oldRun.at + shutdownTimeoutMs, hand, 'old run-start + shutdownTimeoutMs');
      console.log(message);
      expect(early, message).toEqual({ signMaster: false, onStartedLeading: false, firstJobRun: false });
    },
    120_000,
  );
});

describe('single mode: close() drains the running leader job', () => {
  const open: Cluster[] = [];
  const runs: Promise<unknown>[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await Promise.all(runs.splice(0));
  });

  /** A single-mode cluster whose leader job runs `runMs` (forever when null), ignoring its signal. */
  async function singleWithSlowJob(runMs: number | null, shutdownTimeoutMs: number) {
    const run = { started: false, ended: false };
    class SlowCaller extends DefaultCaller {
      override masterCall(): Promise<void> {
        run.started = true;
        const work = new Promise<void>((resolve) => {
          if (runMs !== null) setTimeout(resolve, runMs);
        }).then(() => void (run.ended = true));
        if (runMs !== null) runs.push(work);
        return work;
      }
    }
    const cluster = createCluster({ mode: 'single', logger: false, shutdownTimeoutMs });
    open.push(cluster);
    new DefaultJobTracker({ ms: 10 }, cluster, new SlowCaller()).start();
    await cluster.startUp();
    await waitFor(() => run.started, { timeoutMs: 20_000, what: 'the first job run' });
    return { cluster, run };
  }

  it('close() resolves only after the running masterCall has ended', async () => {
    const { cluster, run } = await singleWithSlowJob(500, 10_000);
    await cluster.close();
    expect(run.ended, 'masterCall was still running when close() resolved').toBe(true);
  });

  it('close() resolves even when masterCall outlives shutdownTimeoutMs', async () => {
    const { cluster } = await singleWithSlowJob(null, 200);
    let closed = false;
    void cluster.close().then(() => (closed = true));
    await waitFor(() => closed, { timeoutMs: 20_000, what: 'close() to give up on the job after shutdownTimeoutMs' });
  });
});
