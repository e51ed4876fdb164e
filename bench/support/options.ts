/** What every bench is run with. */
export interface BenchOptions {
  /** A few seconds per bench: proves it runs and yields numbers, measures nothing worth keeping. */
  readonly smoke: boolean;
  /** The results file to write sections into; undefined prints only. */
  readonly out: string | undefined;
}
