import { DEFAULT_ELECTION_TIMEOUT_MS, defaultTiming } from '../core/timing.js';
import type { ClusterMode } from '../core/settings.js';

/**
 * Every default in one place (DESIGN §3), in the spirit of hashicorp/raft's DefaultConfig(). The
 * timing defaults depend on the election timeout T, so they are given for a T (default 1 s); they
 * come from core/timing.ts, which the Raft node's defaults filler reads too.
 */
export function defaultOptions(electionTimeoutMs: number = DEFAULT_ELECTION_TIMEOUT_MS) {
  return {
    mode: 'cluster' as ClusterMode,
    timeoutSeconds: DEFAULT_ELECTION_TIMEOUT_MS / 1000,
    ...defaultTiming(electionTimeoutMs),
    maxFrameBytes: 16 * 1024 * 1024,
    handshakeTimeoutMs: 5000,
    shutdownTimeoutMs: 10_000,
    redisDiscovery: {
      dataPath: 'nest-cluster',
      electionInterval: 15_000,
      electionPeriod: 30_000,
      syncLeaderInterval: 10_000,
    },
  };
}
