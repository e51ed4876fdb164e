import { readFileSync } from 'node:fs';
import { sleep } from './support/clock.js';
import { clusterSpecs, NodeSet } from './support/node-set.js';
import type { BenchOptions } from './support/options.js';
import { freePorts } from './support/processes.js';
import { Report, table } from './support/report.js';
import { fmt, summarize } from './support/stats.js';
import { target } from './support/targets.js';

interface Setting {
  readonly label: string;
  readonly heartbeatIntervalMs: number | undefined;
}

/**
 * Idle cost of a 5-node cluster: CPU (each node's `process.cpuUsage()` before and after) and RSS
 * (`/proc/<pid>/status`, sampled every second) of the leader and the followers, at the default
 * heartbeat (T = 1000 ms, T/10 = 100 ms) and at 50 ms. Both clusters run at once, so the window
 * is shared; each process's CPU time is its own.
 */
export async function idleBench(options: BenchOptions): Promise<void> {
  const windowMs = options.smoke ? 2000 : 30_000;
  const settings: Setting[] = [
    { label: 'default (100 ms)', heartbeatIntervalMs: undefined },
    { label: '50 ms', heartbeatIntervalMs: 50 },
  ];
  const sets: NodeSet[] = [];
  for (const s of settings) sets.push(new NodeSet(clusterSpecs(await freePorts(5), { heartbeatIntervalMs: s.heartbeatIntervalMs })));
  const rows: string[][] = [];
  const targets = ['Targets:'];
  try {
    for (const set of sets) set.startAll();
    const leaders = await Promise.all(sets.map((set) => set.until('a settled cluster', () => set.settled(), 30_000)));
    await sleep(options.smoke ? 200 : 2000);
    const before = await Promise.all(sets.map((set) => set.usage()));
    const rss = sets.map(() => new Map<string, number[]>());
    const started = performance.now();
    while (performance.now() - started < windowMs) {
      await sleep(1000);
      sets.forEach((set, i) => {
        for (const name of set.names) {
          const sample = rssOf(set.pid(name));
          if (sample !== undefined) rss[i]!.set(name, [...(rss[i]!.get(name) ?? []), sample]);
        }
      });
    }
    const after = await Promise.all(sets.map((set) => set.usage()));
    sets.forEach((set, i) => {
      const leader = leaders[i]!;
      const changed = set.leader() !== leader || set.log.some((e) => e.event === 'StopMaster');
      const percent = (name: string) => {
        const a = after[i]!.get(name)!;
        const b = before[i]!.get(name)!;
        return (100 * (a.cpuMicros - b.cpuMicros)) / 1000 / (a.at - b.at);
      };
      const meanRss = (name: string) => summarize(rss[i]!.get(name) ?? []).mean / 2 ** 20;
      const followers = set.names.filter((n) => n !== leader);
      const fCpu = followers.map(percent);
      const fRss = followers.map(meanRss);
      targets.push(target(`${settings[i]!.label}: leader CPU`, percent(leader), 1, 'at most', ' %', 2));
      targets.push(target(`${settings[i]!.label}: busiest follower CPU`, summarize(fCpu).max, 0.5, 'at most', ' %', 2));
      rows.push([
        settings[i]!.label,
        fmt(percent(leader), 2),
        `${fmt(summarize(fCpu).mean, 2)} / ${fmt(summarize(fCpu).max, 2)}`,
        fmt(meanRss(leader), 1),
        `${fmt(summarize(fRss).mean, 1)} / ${fmt(summarize(fRss).max, 1)}`,
        changed ? 'leadership changed during the window' : '',
      ]);
    });
  } finally {
    await Promise.all(sets.map((set) => set.stopAll()));
  }
  const report = new Report('idle', 'Idle cost of a 5-node cluster', options.out);
  report.add(table(['heartbeat', 'leader CPU %', 'followers CPU % mean / max', 'leader RSS MiB', 'followers RSS MiB mean / max', 'note'], rows));
  report.add(targets.join('\n'));
  report.add(
    `Over ${windowMs / 1000} s of an idle, settled cluster (T = 1000 ms). CPU % is of one core, from each ` +
      'node\'s `process.cpuUsage()` at the start and end of the window; RSS is the mean of `/proc/<pid>/status` ' +
      'VmRSS sampled every second.',
  );
  report.save();
}

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
