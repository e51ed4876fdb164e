/**
 * Where the core reads time. `now()` is monotonic and drives every timeout and lease; `wallTime()`
 * only stamps events for humans. Tests pass a fake clock; `systemClock` lives outside core.
 */
export interface Clock {
  /** Monotonic milliseconds; never jumps with the wall clock. */
  now(): number;
  /** Milliseconds since the epoch, for event timestamps only. */
  wallTime(): number;
  /**
   * When this process started, on `now()`'s timeline (a value at most `now()`), if the clock can
   * tell. A fake clock leaves it out, and the Raft driver then counts from its own start.
   */
  processStartedAt?(): number;
}
