import { createWriteStream, type WriteStream } from 'node:fs';
import type { Fact } from './facts.js';

/** Every fact of a run, in arrival order, kept in memory for the oracle and on disk for replay. */
export class Timeline {
  readonly facts: Fact[] = [];
  private readonly out: WriteStream;

  constructor(file: string) {
    this.out = createWriteStream(file);
  }

  record(fact: Fact): void {
    this.facts.push(fact);
    this.out.write(`${JSON.stringify(fact)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
