import type { Socket } from 'node:net';

interface Slot {
  readonly socket: Socket;
  readonly address: string;
}

/**
 * Inbound connections that have not finished their node handshake (the TLS handshake included),
 * at most `limit` at once. Issue #10 finding 7: refusing newcomers when full let a stranger who
 * holds every slot keep real peers out. Instead, a newcomer is always let in, and when that makes
 * one too many, the oldest connection of the address holding the most slots is closed: a flood
 * from fewer than `limit` addresses displaces only its own connections, and in any case a
 * connection is only lost if `limit` newer ones arrive before its handshake completes.
 */
export class HandshakeSlots {
  /** By `address:port`, in order of arrival. */
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly limit: number,
    private readonly evict: (socket: Socket, remote: string) => void,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  /** A new inbound connection, from `remote` (`address:port`) at `address`. */
  admit(socket: Socket, remote: string, address: string): void {
    this.slots.set(remote, { socket, address });
    if (this.slots.size <= this.limit) return;
    const [victim, slot] = this.oldestOfBusiestAddress();
    this.slots.delete(victim);
    this.evict(slot.socket, victim);
  }

  /** The connection finished its handshake, or closed. */
  release(remote: string): void {
    this.slots.delete(remote);
  }

  private oldestOfBusiestAddress(): [string, Slot] {
    const counts = new Map<string, number>();
    for (const { address } of this.slots.values()) counts.set(address, (counts.get(address) ?? 0) + 1);
    let busiest = '';
    let most = 0;
    for (const [address, count] of counts) {
      if (count > most) [busiest, most] = [address, count];
    }
    for (const entry of this.slots) if (entry[1].address === busiest) return entry;
    throw new Error('unreachable: a full set of slots has a busiest address');
  }
}
