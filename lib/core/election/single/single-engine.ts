import type { ElectionEngine, ElectionHost, ElectionView } from '../election-engine.js';
import { NO_LEADER_VIEW } from '../election-engine.js';
import { NotReadyError } from '../../errors.js';

/** Single mode: this process is the only node and leads from the moment it starts. */
export class SingleEngine implements ElectionEngine {
  readonly canTransfer = false;
  private current: ElectionView = NO_LEADER_VIEW;

  constructor(
    private readonly nodeName: string,
    private readonly host: ElectionHost,
  ) {}

  get view(): ElectionView {
    return this.current;
  }

  async start(): Promise<void> {
    this.set({ role: 'leader', term: 1, leaderName: this.nodeName, acting: true, fencingToken: 1 });
  }

  async stop(): Promise<void> {
    this.set({ ...NO_LEADER_VIEW, term: this.current.term });
  }

  /** Stops acting; nobody else can lead, so there is nothing to keep from anyone. */
  resign(): void {
    if (this.current.acting) this.set({ ...this.current, leaderName: undefined, acting: false, fencingToken: 0 });
  }

  checkLease(): void {}

  async transferLeadership(): Promise<void> {
    throw new NotReadyError('Single mode has no other node to transfer leadership to.');
  }

  actingUntil(): number {
    return this.current.acting ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  readyUntil(): number {
    return this.current.acting ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }


  private set(view: ElectionView): void {
    this.current = view;
    this.host.onViewChange(view);
  }
}
