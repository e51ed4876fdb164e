import type { Registry } from 'prom-client';

/**
 * One sample from a registry's text exposition: `sample(text, 'nest_cluster_calls_total',
 * { function: 'echo', outcome: 'ok' })`, or `undefined` when the series is absent. Labels not
 * named are not compared (so default labels and `le` can be left out only when unique).
 */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

export async function read(registry: Registry, name: string, labels?: Record<string, string>): Promise<number | undefined> {
  return sample(await registry.metrics(), name, labels);
}
