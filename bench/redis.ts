import type { BenchOptions } from './support/options.js';
export async function redisBench(_options: BenchOptions): Promise<void> {}
