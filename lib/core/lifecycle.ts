import type { ElectionEngine } from './election/election-engine.js';
import { ShuttingDownError } from './errors.js';
import { ClusterEventType } from './events.js';
import type { JobTrackerSet } from './jobs/job-tracker-set.js';
import type { Leaderships } from './jobs/leaderships.js';
import { errorStack, errorText, type ClusterLogger } from './logger.js';
import type { LeadershipEvents } from './state/leadership-events.js';

export interface LifecycleDeps {
  readonly engine: ElectionEngine;
  /** Started before the engine (calls are served as soon as this node can lead), closed after it. */
  readonly transport: { start(): Promise<void>; close(): Promise<void> } | undefined;
  readonly state: LeadershipEvents;
  readonly leaderships: Leaderships;
  readonly trackers: JobTrackerSet;
  /** Rejects calls in flight and refuses new ones. */
  shutdownCalls(): void;
  readonly shutdownTimeoutMs: number;
  readonly logger: ClusterLogger;
}

/**
 * Start and stop of one node, and the order every hand-over follows (DESIGN §4: stop acting,
 * drain leader work, bounded, then hand over). A failed start is final (phase `failed`).
 */
export class Lifecycle {
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly deps: LifecycleDeps) {}

  startUp(): Promise<void> {
    if (this.deps.state.phase === 'disabled') return Promise.resolve();
    if (this.closing) {
      return Promise.reject(new ShuttingDownError('This cluster was closed; create a new one to start again.'));
    }
    this.starting ??= this.start();
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  /** Hands leadership to `toNode` (or the engine's pick) once this node's leader work drained. */
  async transferLeadership(toNode: string | undefined): Promise<void> {
    await this.resignAndDrain('Transferring leadership');
    await this.deps.engine.transferLeadership(toNode);
  }

  /** The engine stopped for good on its own (a failed write of term and vote). */
  engineFailed(error: Error): void {
    const { state, leaderships, logger } = this.deps;
    logger.error(`This node left the election: ${errorText(error)}`, errorStack(error));
    leaderships.end();
    if (state.phase === 'running' || state.phase === 'starting') state.setPhase('failed');
    // A node out of the election leaves the cluster's links too; close() still ends the rest.
    void this.deps.transport?.close().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const { state, engine, transport } = this.deps;
    state.setPhase('starting');
    state.publish(ClusterEventType.StartUp);
    try {
      await transport?.start();
      await engine.start();
    } catch (error) {
      // Terminal: the engine's parts (store client) and the transport are closed for good.
      await engine.stop({ handOver: false }).catch(() => undefined);
      await transport?.close().catch(() => undefined);
      state.setPhase('failed');
      throw error;
    }
    if (state.phase === 'starting') state.setPhase('running');
  }

  private async stop(): Promise<void> {
    const { state, engine, leaderships, trackers } = this.deps;
    if (state.phase === 'disabled') return state.finish();
    await this.starting?.catch(() => undefined);
    const wasStarted = state.phase === 'running';
    state.setPhase('closing');
    if (wasStarted) {
      await this.resignAndDrain('Handing leadership over');
      await engine.stop({ handOver: true });
    }
    await this.deps.transport?.close();
    this.deps.shutdownCalls();
    trackers.stoppedLeading();
    await leaderships.drain(trackers, this.deps.shutdownTimeoutMs, 'Closed');
    if (wasStarted) state.publish(ClusterEventType.Close);
    state.finish();
  }

  /**
   * Ends this node's leadership (StopMaster, the signal aborts) while the engine keeps it from
   * anyone else, then waits for leader jobs and trackers' callbacks, at most shutdownTimeoutMs.
   */
  private async resignAndDrain(why: string): Promise<void> {
    const { state, engine, leaderships, trackers } = this.deps;
    if (state.view.role !== 'leader' && !state.view.acting) return;
    engine.resign();
    leaderships.end();
    await leaderships.drain(trackers, this.deps.shutdownTimeoutMs, why);
  }
}
