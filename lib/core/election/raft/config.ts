import type { ClusterSettings } from '../../settings.js';
import { defaultTiming, type Timing } from '../../timing.js';

/**
 * Settings of one Raft election node. All durations are milliseconds of the node's own clock.
 * The product derives it from validated settings ({@link raftConfigFrom}); the simulation and the
 * node's unit tests give only what they vary and let {@link resolveRaftConfig} fill the rest.
 */
export interface RaftConfig extends Partial<Omit<Timing, 'electionTimeoutMs'>> {
  /** This node's id; must be one of `peers`. */
  id: string;
  /** Ids of all configured nodes, this one included. */
  peers: readonly string[];
  /** Base election timeout T (also the minimum, T_min). The randomized timeout is in [T, 2T). */
  electionTimeoutMs: number;
  /** Whether term and vote survive a restart (a `dataDir`). Without, see RaftNode. */
  persisted: boolean;
}

export type ResolvedRaftConfig = Required<RaftConfig>;

/**
 * Fills in the defaults of DESIGN §4 (core/timing.ts), nothing else: the rules between the
 * durations are checked once, on the options (lib/config/timing-options.ts).
 */
export function resolveRaftConfig(cfg: RaftConfig): ResolvedRaftConfig {
  const d = defaultTiming(cfg.electionTimeoutMs);
  return {
    id: cfg.id,
    peers: cfg.peers,
    electionTimeoutMs: cfg.electionTimeoutMs,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs ?? d.heartbeatIntervalMs,
    leaseMs: cfg.leaseMs ?? d.leaseMs,
    clockDriftBound: cfg.clockDriftBound ?? d.clockDriftBound,
    eventLoopMarginMs: cfg.eventLoopMarginMs ?? d.eventLoopMarginMs,
    persisted: cfg.persisted,
  };
}

/** The node's config derived from validated settings: the same timing, no second check. */
export function raftConfigFrom(settings: ClusterSettings, persisted: boolean): ResolvedRaftConfig {
  const { self, nodes, electionTimeoutMs, heartbeatIntervalMs, leaseMs, clockDriftBound, eventLoopMarginMs } = settings;
  return {
    id: self.name,
    peers: nodes.map((n) => n.name),
    electionTimeoutMs,
    heartbeatIntervalMs,
    leaseMs,
    clockDriftBound,
    eventLoopMarginMs,
    persisted,
  };
}
