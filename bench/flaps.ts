import { cpus } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import { sharedNow, sleep } from './support/clock.js';
import { clusterSpecs, NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts, nextMessage, nodeScript, startChild, stopChild } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt } from './support/stats.js';

const T = 300;

interface Load {
  readonly label: string;
  readonly burners: number;
}

/**
 * Leader stability under CPU load (issue #9): a 3-process cluster at T = 300 ms, idle and with
 * CPU burners (busy processes, twice as many as cores) competing for the machine, for a window.
 * Counted from the nodes' own events: leader changes (a SignMaster of another node, or of a new
 * term), elections started, and lease lapses a leader recovered from in its term (StopMaster,
 * then SignMaster again in the same term on the same node), each also per hour.
 */
export async function flapsBench(options: BenchOptions): Promise<void> {
  const windowMs = options.smoke ? 3000 : 120_000;
  const loads: Load[] = [
    { label: 'idle', burners: 0 },
    { label: `${cpus().length * 2} CPU burners`, burners: cpus().length * 2 },
  ];
  const rows: string[][] = [];
  for (const load of loads) {
    const set = new NodeSet(clusterSpecs(await freePorts(3), { electionTimeoutMs: T }));
    const burners: ChildProcess[] = [];
    try {
      set.startAll();
      await set.until('a settled cluster', () => set.settled(), 30_000);
      for (let i = 0; i < load.burners; i++) {
        const burner = startChild(nodeScript('burner'), {});
        burners.push(burner);
        await nextMessage(burner, (m: { type?: string }) => (m.type === 'burning' ? true : undefined), 10_000, 'a burner');
      }
      const from = sharedNow();
      await sleep(windowMs);
      const to = sharedNow();
      const seen = set.log.filter((e) => e.at >= from && e.at <= to);
      const counts = count(set.log.filter((e) => e.at < from), seen);
      const perHour = (n: number) => fmt((n * 3_600_000) / (to - from), 0);
      rows.push([
        load.label,
        fmt((to - from) / 1000, 0),
        String(counts.changes),
        perHour(counts.changes),
        String(counts.elections),
        String(counts.resumed),
        perHour(counts.resumed),
      ]);
    } finally {
      await Promise.all(burners.map((b) => stopChild(b, 'SIGKILL')));
      await set.stopAll();
    }
  }
  const report = new Report('flaps', `Leader stability under CPU load (3 processes, T = ${T} ms)`, options.out);
  report.add(
    table(['load', 'window s', 'leader changes', 'changes / hour', 'elections started', 'lapses resumed in term', 'resumed / hour'], rows),
  );
  report.add(
    'A leader change is a SignMaster by another node or in a new term; an election is any node\'s ' +
      'ElectionStart; a lapse resumed in term is a leader whose lease ran out (StopMaster) and that acted ' +
      'again in the same term (SignMaster) because a majority answered within T (Raft CheckQuorum), ' +
      'instead of stepping down at the lease end.',
  );
  report.save();
}

function count(before: readonly { node: string; event: string; term: number }[], seen: readonly { node: string; event: string; term: number }[]) {
  let last = [...before].reverse().find((e) => e.event === 'SignMaster');
  let changes = 0;
  let resumed = 0;
  let elections = 0;
  for (const e of seen) {
    if (e.event === 'ElectionStart') elections++;
    if (e.event !== 'SignMaster') continue;
    if (last && last.node === e.node && last.term === e.term) resumed++;
    else changes++;
    last = e;
  }
  return { changes, resumed, elections };
}
