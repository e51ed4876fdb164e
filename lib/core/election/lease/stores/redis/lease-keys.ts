/**
 * Where one cluster keeps its lease in Redis. Every key carries `{dataPath}` as its hash tag, so
 * both keys land in the same slot of a Redis Cluster and a script may touch them together (Redis
 * Cluster refuses multi-key scripts across slots). The channel is not a key and needs no tag; it is
 * named alike for readability.
 */
export interface LeaseKeys {
  /** Holds `{"node":..,"token":..}` with a TTL of electionPeriod while a leader holds the lease. */
  readonly leader: string;
  /** The fencing counter; INCR on every acquisition, never expires. */
  readonly epoch: string;
  /** Pub/sub channel for acquire and release notices. */
  readonly events: string;
}

export function leaseKeys(dataPath: string): LeaseKeys {
  const tag = `{${dataPath}}`;
  return { leader: `${tag}:leader`, epoch: `${tag}:epoch`, events: `${tag}:events` };
}
