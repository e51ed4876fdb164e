import type { ElectionEngine, ElectionHost, ElectionView } from '../../lib/core/election/election-engine.js';
import { NO_LEADER_VIEW } from '../../lib/core/election/election-engine.js';
import type { ClusterTransport } from '../../lib/core/cluster.js';
import type { TransportStats } from '../../lib/core/transport/transport-types.js';

/** An election engine the test drives by hand: each `set` is what a real engine would report. */
export class ScriptedEngine implements ElectionEngine {
  readonly canTransfer = true;
  view: ElectionView = NO_LEADER_VIEW;
  ready = 0;
  actingDeadline = Number.POSITIVE_INFINITY;
  transfers: (string | undefined)[] = [];
  resigned = 0;
  stops: boolean[] = [];

  failStart: Error | undefined;

  constructor(
    private readonly host: ElectionHost,
    private readonly now: () => number = () => performance.now(),
  ) {}

  set(view: Partial<ElectionView>): void {
    this.view = { ...this.view, ...view };
    this.host.onViewChange(this.view);
  }

  async start(): Promise<void> {
    if (this.failStart) throw this.failStart;
  }

  async stop({ handOver }: { handOver: boolean }): Promise<void> {
    this.stops.push(handOver);
    this.set({ role: 'follower', leaderName: undefined, acting: false });
  }

  /** The engine stops on its own, as on a failed write of term and vote. */
  fail(error: Error): void {
    this.set({ role: 'follower', leaderName: undefined, acting: false });
    this.host.onFailure(error);
  }

  resign(): void {
    this.resigned++;
    if (this.view.acting) this.set({ acting: false, leaderName: undefined });
  }

  checkLease(): void {
    if (this.view.acting && this.now() >= this.actingDeadline) this.set({ acting: false, leaderName: undefined });
  }

  async transferLeadership(toNode?: string): Promise<void> {
    this.transfers.push(toNode);
  }

  actingUntil(): number {
    return this.actingDeadline;
  }

  readyUntil(): number {
    return this.ready;
  }

}

/** A transport that moves nothing: its liveness is what the test says. */
export class ScriptedTransport implements ClusterTransport {
  alive = new Set<string>();
  started = 0;
  closed = 0;
  async start(): Promise<void> {
    this.started++;
  }
  async close(): Promise<void> {
    this.closed++;
  }
  isAlive(peer: string): boolean {
    return this.alive.has(peer);
  }
  stats(): TransportStats {
    return {} as TransportStats;
  }
  send(): boolean {
    return false;
  }
  onMessage(): void {}
  onPeerLost(): void {}
  onPeerChange(): void {}
  alivePeers(): string[] {
    return [...this.alive];
  }
  readonly peerNames: readonly string[] = [];
  request(): Promise<never> {
    return Promise.reject(new Error('ScriptedTransport carries no requests'));
  }
  onRequest(): void {}
}
