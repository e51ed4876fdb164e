import { ClusterError } from '../../errors.js';
import { usableLeaseMs } from '../../lease-span.js';

/** Settings of one Raft election node. All durations are milliseconds of the node's own clock. */
export interface RaftConfig {
  /** This node's id; must be one of `peers`. */
  id: string;
  /** Ids of all configured nodes, this one included. */
  peers: readonly string[];
  /** Base election timeout T (also the minimum, T_min). The randomized timeout is in [T, 2T). */
  electionTimeoutMs: number;
  /** Default T/10. */
  heartbeatIntervalMs?: number;
  /** Lease L, at most T. Default T/2. */
  leaseMs?: number;
  /** ρ: how much two nodes' clocks may disagree on an elapsed time, as a fraction. Default 0.05. */
  clockDriftBound?: number;
  /** δ: how late the driver may run a due tick (event-loop stall). Default T/20. */
  eventLoopMarginMs?: number;
  /** Whether term and vote survive a restart (a `dataDir`). Without, see RaftNode. */
  persisted: boolean;
}

export type ResolvedRaftConfig = Required<RaftConfig>;

export class RaftConfigError extends ClusterError {
  constructor(message: string) {
    super('ERR_CLUSTER_RAFT_CONFIG', message);
  }
}

/** Fills in defaults and validates; throws {@link RaftConfigError} naming the bad option. */
export function resolveRaftConfig(cfg: RaftConfig): ResolvedRaftConfig {
  const T = cfg.electionTimeoutMs;
  const resolved: ResolvedRaftConfig = {
    id: cfg.id,
    peers: cfg.peers,
    electionTimeoutMs: T,
    heartbeatIntervalMs: cfg.heartbeatIntervalMs ?? T / 10,
    leaseMs: cfg.leaseMs ?? T / 2,
    clockDriftBound: cfg.clockDriftBound ?? 0.05,
    eventLoopMarginMs: cfg.eventLoopMarginMs ?? T / 20,
    persisted: cfg.persisted,
  };
  validateRaftConfig(resolved);
  return resolved;
}

export function validateRaftConfig(cfg: ResolvedRaftConfig): void {
  const fail = (msg: string): never => {
    throw new RaftConfigError(`Raft node "${cfg.id}": ${msg}`);
  };
  const T = cfg.electionTimeoutMs;
  if (new Set(cfg.peers).size !== cfg.peers.length) fail(`peers contain a duplicate id: ${cfg.peers.join(', ')}.`);
  if (!cfg.peers.includes(cfg.id)) fail(`its own id is not among peers (${cfg.peers.join(', ')}); list every node, this one included.`);
  if (!(T > 0) || !Number.isFinite(T)) fail(`electionTimeoutMs must be a positive number of milliseconds, got ${T}.`);
  const hb = cfg.heartbeatIntervalMs;
  if (!(hb > 0) || hb >= T) fail(`heartbeatIntervalMs must be above 0 and below electionTimeoutMs (${T}), got ${hb}; the default is T/10.`);
  if (!(cfg.leaseMs > 0) || cfg.leaseMs > T) fail(`leaseMs must be above 0 and at most electionTimeoutMs (${T}), got ${cfg.leaseMs}: a follower must not vote while a lease it granted may still run.`);
  const rho = cfg.clockDriftBound;
  if (!(rho >= 0) || rho >= 0.5) fail(`clockDriftBound must be in [0, 0.5), got ${rho}; 0.05 means clocks may disagree by 5%.`);
  if (!(cfg.eventLoopMarginMs >= 0)) fail(`eventLoopMarginMs must be 0 or more, got ${cfg.eventLoopMarginMs}.`);
  const usable = usableLeaseMs(cfg.leaseMs, rho, cfg.eventLoopMarginMs);
  if (usable <= hb) {
    fail(
      `the usable lease leaseMs·(1−clockDriftBound) − eventLoopMarginMs = ${usable} ms must exceed ` +
        `heartbeatIntervalMs (${hb}), or the leader could never renew its lease in time; raise leaseMs or lower the margins.`,
    );
  }
}
