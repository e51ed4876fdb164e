import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly node: string;
  readonly date: string;
  /** The 1, 5 and 15 minute load averages: how busy the shared machine was over the run. */
  readonly load: readonly number[];
}

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg(),
  };
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Where a bench's markdown goes: printed, and (unless `file` is undefined) written into its own
 * section of a results file, so that `npm run bench -- calls` refreshes only the calls section.
 * Every section records the machine and the date it was measured on.
 */
export class Report {
  private readonly parts: string[] = [];

  constructor(
    readonly name: string,
    readonly title: string,
    private readonly file: string | undefined,
  ) {}

  add(markdown: string): void {
    this.parts.push(markdown);
    process.stdout.write(`${markdown}\n\n`);
  }

  save(): void {
    const m = machine();
    const body = [
      `## ${this.title}`,
      `Measured ${m.date} on ${m.cores} × ${m.cpu}, Node ${m.node}; load average ${m.load.map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) when it finished.`,
      ...this.parts,
    ].join('\n\n');
    if (!this.file) return;
    const begin = `<!-- bench:${this.name} -->`;
    const end = `<!-- /bench:${this.name} -->`;
    const block = `${begin}\n${body}\n${end}`;
    let text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : HEADER;
    const at = text.indexOf(begin);
    const until = text.indexOf(end);
    if (at >= 0 && until > at) text = text.slice(0, at) + block + text.slice(until + end.length);
    else text = `${text.trimEnd()}\n\n${block}\n`;
    writeFileSync(this.file, text);
  }
}

const HEADER = `# Benchmark results

Written by \`npm run bench\` (see bench/README.md). Each section is replaced when its bench runs
again and names the machine and date it was measured on. Times are from one run on a shared
machine: compare rows within a section, not across machines.
`;
