import type { BenchOptions } from './support/options.js';
export async function coldStartBench(_options: BenchOptions): Promise<void> {}
