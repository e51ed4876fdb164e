/**
 * CLOCK_MONOTONIC in ms with ns precision (`process.hrtime.bigint()` reads it on Linux): one clock
 * for the harness and every node process on the host, so a fact stamped in a node compares with a
 * SIGSTOP stamped in the harness, and IPC delay never moves a time.
 */
export function hostNow(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms`: only for fault durations and gaps between faults, never to wait for a state. */
export function hold(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
