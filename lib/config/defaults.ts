/** Every default in one place (DESIGN §3), in the spirit of hashicorp/raft's DefaultConfig(). */
export const DEFAULTS = {
  mode: 'cluster',
  timeoutSeconds: 1,
  heartbeatFraction: 1 / 10,
  leaseFraction: 1 / 2,
  clockDriftBound: 0.05,
  eventLoopMarginFraction: 1 / 20,
  eventLoopMarginMinMs: 5,
  maxFrameBytes: 16 * 1024 * 1024,
  handshakeTimeoutMs: 5000,
  shutdownTimeoutMs: 10_000,
  redisDiscovery: {
    dataPath: 'nest-cluster',
    electionInterval: 15_000,
    electionPeriod: 30_000,
    syncLeaderInterval: 10_000,
  },
} as const;
