import type { AcquireReply, HeldLease, LeaseClaim, LeaseReading, LeaseStore } from '../../lease-store.js';
import type { RedisCommands } from './ioredis-commands.js';
import { leaseKeys, type LeaseKeys } from './lease-keys.js';
import { ACQUIRE, QUARANTINE, READ, RELEASE, RENEW } from './lease-scripts.js';
import { storedHolder } from './redis-values.js';

type AcquireResult = [number, string | null, number, string?, string?];

/**
 * The lease in Redis (DESIGN §5 Redis): the key `{dataPath}:leader` holds `{ node, token }` with a
 * TTL of one period, tokens come from `INCR {dataPath}:epoch`, and every step is one Lua script,
 * so each is atomic and timed by Redis's clock. Notices travel over pub/sub on `{dataPath}:events`.
 */
export class RedisLeaseStore implements LeaseStore {
  readonly leaseName: string;
  readonly noticesName: string;
  private readonly keys: LeaseKeys;

  constructor(
    private readonly redis: RedisCommands,
    dataPath: string,
  ) {
    this.keys = leaseKeys(dataPath);
    this.leaseName = this.keys.leader;
    this.noticesName = this.keys.events;
  }

  async acquire(claim: LeaseClaim): Promise<AcquireReply> {
    const { keys } = this;
    const reply = (await this.redis.run(ACQUIRE, [keys.leader, keys.epoch], [claim.node, claim.periodMs, claim.highestToken])) as AcquireResult;
    const [won, value, pttl, badKey, badValue] = Array.isArray(reply) ? reply : [];
    const replaced =
      badKey === undefined ? [] : [{ where: badKey, value: badValue, kind: badKey === keys.epoch ? ('counter' as const) : ('lease' as const) }];
    return { acquired: won === 1, holder: storedHolder(value), remainingMs: pttl, quarantined: value === QUARANTINE, replaced };
  }

  async renew(lease: HeldLease, periodMs: number): Promise<boolean> {
    return (await this.redis.run(RENEW, [this.keys.leader], [String(lease.raw), periodMs])) === 1;
  }

  async release(lease: HeldLease): Promise<boolean> {
    return (await this.redis.run(RELEASE, [this.keys.leader], [String(lease.raw)])) === 1;
  }

  async read(): Promise<LeaseReading> {
    const [value, pttl] = (await this.redis.run(READ, [this.keys.leader], [])) as [string | null, number];
    return { holder: storedHolder(value), remainingMs: pttl > 0 ? pttl : 0, quarantined: value === QUARANTINE };
  }

  announce(message: string): Promise<void> {
    return this.redis.publish(this.keys.events, message);
  }

  watch(onMessage: (message: string) => void): void {
    this.redis.subscribe(this.keys.events, onMessage);
  }

  close(): Promise<void> {
    return this.redis.close();
  }
}
