import type { Transport } from '../transport/transport.js';
import type { ElectionEngine, ElectionView } from './election-engine.js';

/**
 * An election engine that does not talk to other nodes itself (the redis lease), paired with the
 * node-to-node transport so remote calls work in that mode too. The transport starts first (so
 * calls are served as soon as this node can lead) and closes last; liveness comes from it.
 */
export class EngineWithTransport implements ElectionEngine {
  constructor(
    private readonly inner: ElectionEngine,
    private readonly transport: Transport,
    private readonly selfName: string,
  ) {}

  get view(): ElectionView {
    return this.inner.view;
  }

  async start(): Promise<void> {
    await this.transport.start();
    try {
      await this.inner.start();
    } catch (error) {
      await this.transport.close();
      throw error;
    }
  }

  async stop(options: { handOver: boolean }): Promise<void> {
    try {
      await this.inner.stop(options);
    } finally {
      await this.transport.close();
    }
  }

  resign(): void {
    this.inner.resign();
  }

  checkLease(): void {
    this.inner.checkLease();
  }

  transferLeadership(toNode?: string): Promise<void> {
    return this.inner.transferLeadership(toNode);
  }

  actingUntil(): number {
    return this.inner.actingUntil();
  }

  readyUntil(): number {
    return this.inner.readyUntil();
  }

  isAlive(nodeName: string): boolean {
    return nodeName === this.selfName || this.transport.isAlive(nodeName);
  }
}
