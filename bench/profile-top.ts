import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/**
 * `node dist/bench/profile-top.js <file.cpuprofile> [count] [skipMs]`: the functions with the
 * most self time in a `node --cpu-prof` profile, as a markdown table (the evidence the bench
 * README asks for when a target is missed). `skipMs` leaves out the first milliseconds of the
 * profile, say a process's start-up when its idle time is what matters.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg, skipArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top <file.cpuprofile> [count]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
let elapsed = 0;
const skipMicros = Number(skipArg ?? 0) * 1000;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  elapsed += dt;
  if (elapsed < skipMicros) return;
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const key = `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(countArg ?? 15));
process.stdout.write(`| self ms | % | function |\n| --- | --- | --- |\n`);
for (const [key, micros] of top) {
  process.stdout.write(`| ${(micros / 1000).toFixed(0)} | ${((100 * micros) / total).toFixed(1)} | \`${key}\` |\n`);
}
