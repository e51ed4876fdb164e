export interface LeaseTimings {
  readonly electionInterval: number;
  readonly electionPeriod: number;
  readonly syncLeaderInterval: number;
}

export interface LeaseEngineConfig {
  readonly nodeName: string;
  readonly lease: LeaseTimings;
  /** ρ: how far the clock rates of this process and the store may differ. */
  readonly clockDriftBound: number;
  /** δ: taken off every lease for event-loop stalls between a reply and acting on it. */
  readonly eventLoopMarginMs: number;
  /** How log lines name the store: `Redis`, `PostgreSQL`. */
  readonly label: string;
  /** How log lines name what holds the lease: `the leader key`, `the lease row`. */
  readonly heldIn: string;
}
