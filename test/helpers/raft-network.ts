import { RaftNode } from '../../lib/core/election/raft/raft-node.js';
import type { RaftMessage } from '../../lib/core/election/raft/messages.js';
import type { PersistentState, Ready } from '../../lib/core/election/raft/types.js';

export const T = 1000; // heartbeat 100, lease 500, ρ 0.05, δ 50: a lease runs 425 ms past its round
export const SPAN = 500 * 0.95 - 50;

/**
 * A network of state machines in memory with one shared, perfect clock and instant delivery:
 * the tests cut links, crash and restart nodes, and step time by hand.
 */
export class Network {
  readonly nodes = new Map<string, RaftNode>();
  readonly saved = new Map<string, PersistentState>();
  readonly down = new Set<string>();
  readonly cut = new Set<string>();
  readonly sent: RaftMessage[] = [];
  now = 0;
  private queue: RaftMessage[] = [];

  constructor(
    readonly ids: string[],
    private readonly randomOf: (id: string) => number = (id) => ids.indexOf(id) / ids.length,
    private readonly persisted = true,
  ) {
    for (const id of ids) this.start(id);
  }

  node(id: string): RaftNode {
    return this.nodes.get(id)!;
  }

  status(id: string) {
    return this.node(id).status(this.now);
  }

  start(id: string): void {
    const state = this.persisted ? this.saved.get(id) : undefined;
    const cfg = { id, peers: this.ids, electionTimeoutMs: T, persisted: this.persisted };
    this.down.delete(id);
    this.nodes.set(id, new RaftNode(cfg, state, this.now, () => this.randomOf(id)));
  }

  crash(id: string): void {
    this.down.add(id);
  }

  isolate(id: string): void {
    for (const other of this.ids) if (other !== id) this.cut.add(`${id}>${other}`).add(`${other}>${id}`);
  }

  heal(): void {
    this.cut.clear();
  }

  apply(id: string, ready: Ready): Ready {
    if (ready.persist) this.saved.set(id, ready.persist);
    for (const m of ready.messages) {
      this.sent.push(m);
      if (!this.cut.has(`${m.from}>${m.to}`)) this.queue.push(m);
    }
    return ready;
  }

  /** Delivers every message in flight, and the replies they cause, at the current instant. */
  deliver(filter: (m: RaftMessage) => boolean = () => true): void {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (this.down.has(m.to) || !filter(m)) continue;
        this.apply(m.to, this.node(m.to).step(m, this.now));
      }
    }
  }

  /** Runs every due tick up to `until`, delivering messages instantly. */
  runUntil(until: number, filter?: (m: RaftMessage) => boolean): void {
    for (;;) {
      let next = Infinity;
      for (const [id, n] of this.nodes) if (!this.down.has(id)) next = Math.min(next, n.tick(this.now).wakeAt);
      this.deliver(filter);
      if (next > until) break;
      this.now = Math.max(this.now, next);
      for (const [id, n] of this.nodes) if (!this.down.has(id)) this.apply(id, n.tick(this.now));
      this.deliver(filter);
    }
    this.now = until;
  }

  leaders(): string[] {
    return this.ids.filter((id) => !this.down.has(id) && this.status(id).role === 'leader');
  }

  acting(): string[] {
    return this.ids.filter((id) => !this.down.has(id) && this.status(id).acting);
  }

  /** Runs until `id` is an acting leader, and returns the local time it began acting. */
  untilActing(id: string, limit = 20 * T): number {
    while (this.now < limit) {
      if (this.status(id).acting) return this.now;
      this.runUntil(this.now + 1);
    }
    throw new Error(`${id} never acted`);
  }
}

