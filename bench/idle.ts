import type { BenchOptions } from './support/options.js';
export async function idleBench(_options: BenchOptions): Promise<void> {}
