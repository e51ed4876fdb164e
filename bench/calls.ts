import type { BenchOptions } from './support/options.js';
export async function callsBench(_options: BenchOptions): Promise<void> {}
