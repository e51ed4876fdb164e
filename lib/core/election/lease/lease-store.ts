/**
 * What the lease engine needs from a store (DESIGN §5): acquire, renew, release and read the
 * lease, each answering with the holder, its fencing token and the store's own notion of the time
 * left. Redis, PostgreSQL and MySQL implement it in `stores/`; an application may bring its own
 * (`mode: 'lease'`, `lease.store`).
 *
 * The engine trusts nothing a store returns: holders, tokens and times are validated before use
 * and refused (logged, counted) otherwise. What a store must guarantee is atomicity: each call is
 * one step on the store's side, decided on the store's clock, never on the caller's.
 */
export interface LeaseStore {
  /** How log lines name the store (`Redis`, `PostgreSQL`); default `Lease store`. */
  readonly label?: string;
  /** Where the lease lives, as log lines name it (a key, a table row). */
  readonly leaseName: string;
  /** Where notices travel, as log lines name it (a channel), when the store has `watch`. */
  readonly noticesName?: string;

  /**
   * Takes the lease for `claim.node` if nobody holds it, with a token above every token the store
   * and `claim.highestToken` know; otherwise reports who holds it. A store that finds its token
   * counter missing or invalid (lost data) must park a quarantine for `claim.periodMs` instead, so
   * nobody acquires while a leader may still act on the lost lease.
   */
  acquire(claim: LeaseClaim): Promise<AcquireReply>;
  /** Extends the lease by `periodMs` from now on the store's clock, only if `lease` still holds it. */
  renew(lease: HeldLease, periodMs: number): Promise<boolean>;
  /** Gives the lease up, only if `lease` still holds it; the token counter is kept. */
  release(lease: HeldLease): Promise<boolean>;
  /** Who holds the lease now, without trying to take it. */
  read(): Promise<LeaseReading>;
  /**
   * Optional fast path: tells every node's `watch` of `message` (an acquisition or release
   * notice). Without it followers learn by polling every `syncLeaderInterval`.
   */
  announce?(message: string): Promise<void>;
  /** Optional: starts delivering announced messages (from any node) to `onMessage`. */
  watch?(onMessage: (message: string) => void): void;
  /** Closes every connection the store opened, and its client too when it created it. */
  close(): Promise<void>;
}

/** What an acquisition asks for. */
export interface LeaseClaim {
  readonly node: string;
  /** The lease length, ms, measured on the store's clock from when it runs the acquisition. */
  readonly periodMs: number;
  /** The highest fencing token this node has seen: new tokens must exceed it (DESIGN §5). */
  readonly highestToken: number;
}

/** A holder as the store returned it; nothing in it is trusted before the engine checks it. */
export interface StoredHolder {
  readonly node: unknown;
  readonly token: unknown;
  /** The value as stored, shown in the log line if it is refused, and given back to renew/release. */
  readonly raw: unknown;
}

export interface LeaseReading {
  /** The holder, or undefined when nobody holds the lease (free, expired or quarantined). */
  readonly holder: StoredHolder | undefined;
  /** Time left on the lease by the store's clock, ms; ≤ 0 or undefined when it has none. */
  readonly remainingMs: unknown;
  /** Nobody may acquire for `remainingMs`: the store lost its counter or held an invalid value. */
  readonly quarantined: boolean;
  /** Invalid values the store found and replaced by a quarantine, for the engine to log. */
  readonly replaced?: readonly ReplacedValue[];
}

export interface AcquireReply extends LeaseReading {
  /** This call took the lease; `holder` is then the new lease. */
  readonly acquired: boolean;
}

export interface ReplacedValue {
  /** The key, row or column that held it. */
  readonly where: string;
  readonly value: unknown;
  /** `counter`: the token counter; `lease`: the holder record. */
  readonly kind: 'counter' | 'lease';
}

/** A lease this node holds, validated, as renew and release receive it. */
export interface HeldLease {
  readonly node: string;
  readonly token: number;
  /** The stored value as acquire returned it (`StoredHolder.raw`): Redis compares it exactly. */
  readonly raw: unknown;
}
