import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import type { Clock } from './clock.js';
import type { ElectionEngine, ElectionHost, ElectionView } from './election/election-engine.js';
import { NO_LEADER_VIEW } from './election/election-engine.js';
import { EventBus, type QueuedEvent } from './event-bus.js';
import { ClusterError, NotReadyError, ShuttingDownError, TimeoutError } from './errors.js';
import { ClusterEventType, type ClusterEvent, type ClusterState, type Phase } from './events.js';
import type { JobTracker } from './jobs/job-tracker.js';
import { JobTrackerSet } from './jobs/job-tracker-set.js';
import type { LeaderContext } from './jobs/leader-context.js';
import { Leaderships } from './jobs/leaderships.js';
import type { Ran } from './jobs/leader-work.js';
import type { ClusterLogger } from './logger.js';
import type { ClusterNode } from './node.js';
import { NodeTable } from './node-table.js';
import { CallDispatcher, type RemoteCaller } from './rpc/call-dispatcher.js';
import { FuncRegistry, type ClusterFunctionHandler } from './rpc/func-registry.js';
import type { AsyncFuncSpec, FuncSpec, SyncFuncSpec } from './rpc/func-spec.js';
import { FunctionRunner } from './rpc/function-runner.js';
import type { ClusterSettings } from './settings.js';
import type { TransportStats } from './transport/transport-types.js';
import { eventsBetween } from './view-transitions.js';
import { errorStack, errorText } from './logger.js';

/** Everything mode-specific a cluster is built from. */
export interface ClusterParts {
  readonly clock: Clock;
  /** Builds the election engine; it reports through `host`. */
  createEngine(host: ElectionHost, functions: FunctionRunner): ElectionEngine;
  /** How calls leave this node, if the mode has a transport. */
  remoteCaller?(engine: ElectionEngine): RemoteCaller | undefined;
  /** Connection, violation and call counters of the transport, if the mode has one. */
  transportStats?(): TransportStats | undefined;
}

export interface ClusterStats {
  readonly nodeName: string;
  readonly mode: ClusterSettings['mode'];
  readonly phase: Phase;
  readonly role: ElectionView['role'];
  readonly term: number;
  readonly leaderName: string | undefined;
  readonly isLeader: boolean;
  readonly elections: number;
  readonly leaderships: number;
  readonly trackers: string[];
  readonly functions: string[];
  readonly callsMade: number;
  readonly callsServed: number;
  readonly callsFailed: number;
  /** Connections, rejected peers by reason, calls and messages (cluster mode, redis with nodes). */
  readonly transport: TransportStats | undefined;
}

/**
 * One node of the cluster: lifecycle, the node table, ordered events, job trackers and calls, over
 * whichever election engine the mode provides. Framework-free; `ClusterService` wraps it for Nest.
 */
export class Cluster {
  readonly logger: ClusterLogger;
  private phase: Phase;
  private view: ElectionView = NO_LEADER_VIEW;
  private readonly leaderships: Leaderships;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private elections = 0;
  private leadershipCount = 0;
  private readonly engine: ElectionEngine;
  private readonly nodes: NodeTable;
  private readonly bus: EventBus;
  private readonly trackers: JobTrackerSet;
  private readonly functions = new FuncRegistry();
  private readonly runner = new FunctionRunner(this.functions);
  private readonly dispatcher: CallDispatcher;
  private readonly stateSubject: BehaviorSubject<ClusterState>;

  /** Every cluster event, in order, as it happens (hot: no replay). */
  readonly events$: Observable<ClusterEvent>;
  /** This node's state; replays the latest to each new subscriber. */
  readonly state$: Observable<ClusterState>;

  constructor(
    readonly settings: ClusterSettings,
    private readonly parts: ClusterParts,
  ) {
    this.logger = settings.logger;
    this.phase = settings.enabled ? 'idle' : 'disabled';
    this.engine = parts.createEngine(
      { onViewChange: (view) => this.onViewChange(view), onFailure: (error) => this.onEngineFailure(error) },
      this.runner,
    );
    this.leaderships = new Leaderships({
      clock: parts.clock,
      logger: this.logger,
      actingUntil: () => this.engine.actingUntil(),
      checkLease: () => this.engine.checkLease(),
    });
    this.nodes = new NodeTable(settings.nodes, settings.self.name, (name) => this.engine.isAlive(name));
    this.dispatcher = new CallDispatcher(
      settings.self.name,
      this.nodes,
      this.runner,
      parts.remoteCaller?.(this.engine),
    );
    this.trackers = new JobTrackerSet(this.logger);
    this.bus = new EventBus((queued) => this.dispatchToTrackers(queued), this.logger);
    this.events$ = this.bus.events$;
    this.stateSubject = new BehaviorSubject(this.snapshot());
    this.state$ = this.stateSubject.asObservable();
    if (!settings.enabled) {
      this.logger.log('Cluster is disabled (enable: false): no election, leader jobs will not run.');
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /**
   * Starts the election. Idempotent; resolves once this node has joined (not once it leads). A
   * failed start is final: later calls reject with the same error (create a new cluster to retry).
   */
  startUp(): Promise<void> {
    if (this.phase === 'disabled') return Promise.resolve();
    if (this.closing) {
      return Promise.reject(new ShuttingDownError('This cluster was closed; create a new one to start again.'));
    }
    this.starting ??= this.start();
    return this.starting;
  }

  /**
   * Leaves the cluster: an acting leader stops acting and hands leadership over, job callbacks
   * are drained (bounded by shutdownTimeoutMs), calls in flight are rejected, and nothing is left
   * holding the event loop. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  private async start(): Promise<void> {
    this.setPhase('starting');
    this.publish(ClusterEventType.StartUp);
    try {
      await this.engine.start();
    } catch (error) {
      // Terminal: the engine's parts (transport, store client) are closed and cannot be restarted.
      await this.engine.stop({ handOver: false }).catch(() => undefined);
      this.setPhase('failed');
      throw error;
    }
    if (this.phase === 'starting') this.setPhase('running');
  }

  private async stop(): Promise<void> {
    if (this.phase === 'disabled') {
      this.finish();
      return;
    }
    await this.starting?.catch(() => undefined);
    const wasStarted = this.phase === 'running';
    this.setPhase('closing');
    if (wasStarted) {
      // DESIGN §4: stop acting, drain leader work (bounded), and only then hand over.
      await this.resignAndDrain('Handing leadership over');
      await this.engine.stop({ handOver: true });
    }
    this.dispatcher.shutdown();
    this.trackers.stoppedLeading();
    await this.leaderships.drain(this.trackers, this.settings.shutdownTimeoutMs, 'Closed');
    if (wasStarted) this.publish(ClusterEventType.Close);
    this.finish();
  }

  /**
   * Ends this node's leadership (StopMaster, the signal aborts) while the engine keeps it from
   * anyone else, then waits for leader jobs and trackers' callbacks, at most shutdownTimeoutMs.
   */
  private async resignAndDrain(why: string): Promise<void> {
    if (this.view.role !== 'leader' && !this.view.acting) return;
    this.engine.resign();
    this.leaderships.end();
    await this.leaderships.drain(this.trackers, this.settings.shutdownTimeoutMs, why);
  }

  /** The engine stopped for good on its own (a failed write of term and vote). */
  private onEngineFailure(error: Error): void {
    this.logger.error(`This node left the election: ${errorText(error)}`, errorStack(error));
    this.leaderships.end();
    if (this.phase === 'running' || this.phase === 'starting') this.setPhase('failed');
  }

  private finish(): void {
    this.phase = 'closed';
    this.stateSubject.next(this.snapshot());
    this.stateSubject.complete();
    this.bus.complete();
  }

  // ---- election view → events ------------------------------------------------------------------

  private onViewChange(next: ElectionView): void {
    const prev = this.view;
    this.view = next;
    const types = eventsBetween(prev, next, this.settings.self.name);
    for (const type of types) {
      let work;
      if (type === ClusterEventType.StopMaster) {
        // DESIGN §3: the signal aborts the moment leadership is lost, not when the event is handled.
        this.leaderships.end();
      } else if (type === ClusterEventType.SignMaster) {
        work = this.leaderships.begin(next.term, next.fencingToken);
        this.leadershipCount++;
      } else if (type === ClusterEventType.ElectionStart) {
        this.elections++;
      }
      // Teardown events describe what ended: the released leader, the term it led.
      const about = type === ClusterEventType.StopMaster || type === ClusterEventType.ReleaseMaster ? prev : next;
      this.publish(type, work, about);
    }
    if (types.length > 0 || prev.role !== next.role || prev.term !== next.term) {
      this.stateSubject.next(this.snapshot());
    }
  }

  private publish(type: ClusterEventType, work?: QueuedEvent['work'], about: ElectionView = this.view): void {
    const event: ClusterEvent = {
      type,
      term: about.term,
      nodeName: this.settings.self.name,
      leaderName: about.leaderName,
      at: new Date(this.parts.clock.wallTime()),
    };
    this.bus.publish({ event, work });
  }

  private dispatchToTrackers({ event, work }: QueuedEvent): void {
    switch (event.type) {
      case ClusterEventType.SignMaster:
        if (work) this.trackers.startedLeading(work);
        this.trackers.newLeader(event.nodeName);
        break;
      case ClusterEventType.StopMaster:
        this.trackers.stoppedLeading();
        break;
      case ClusterEventType.ReleaseMaster:
        this.trackers.releaseMaster();
        break;
      case ClusterEventType.SignFollower:
        if (event.leaderName !== undefined) this.trackers.newLeader(event.leaderName);
        break;
    }
  }

  private setPhase(phase: Phase): void {
    this.phase = phase;
    this.stateSubject.next(this.snapshot());
  }

  private snapshot(): ClusterState {
    return {
      phase: this.phase,
      role: this.view.role,
      term: this.view.term,
      nodeName: this.settings.self.name,
      leaderName: this.view.leaderName,
      isLeader: this.view.acting,
    };
  }

  // ---- the seed's ICluster ---------------------------------------------------------------------

  /** This node is running an election (pre-candidate or candidate). */
  isFighting(): boolean {
    return this.view.role === 'pre-candidate' || this.view.role === 'candidate';
  }

  isClose(): boolean {
    return this.phase === 'closing' || this.phase === 'closed';
  }

  /** An acting leader, or a follower that heard from a known leader within the election timeout. */
  isReady(): boolean {
    return (
      this.phase === 'running' &&
      this.view.leaderName !== undefined &&
      this.parts.clock.now() < this.engine.readyUntil()
    );
  }

  /**
   * This node is the acting leader: it holds the lease, so no other node is acting. The lease is
   * checked on the clock at every call; one found over ends the leadership's signal at once.
   */
  isLeader(): boolean {
    return this.view.acting && this.leaderships.current !== undefined;
  }

  isCandidate(): boolean {
    return this.view.role === 'candidate';
  }

  isFollower(): boolean {
    return this.view.role === 'follower';
  }

  getLeaderNode(): ClusterNode | undefined {
    const name = this.view.leaderName;
    return name === undefined ? undefined : (this.nodes.find(name) ?? this.nodes.unlisted(name));
  }

  getLeaderName(): string | undefined {
    return this.view.leaderName;
  }

  getMyNode(): ClusterNode {
    return this.nodes.get(this.settings.self.name);
  }

  getMyName(): string {
    return this.settings.self.name;
  }

  getMyTerm(): number {
    return this.view.term;
  }

  getMyAddress(): string {
    return this.getMyNode().address;
  }

  getNodeByName(name: string): ClusterNode | undefined {
    return this.nodes.find(name);
  }

  getAllNodeNames(): string[] {
    return this.nodes.names;
  }

  getAllNodeCount(): number {
    return this.nodes.names.length;
  }

  getAliveNodeNames(): string[] {
    return this.nodes.aliveNames();
  }

  getAliveNodeCount(): number {
    return this.nodes.aliveNames().length;
  }

  getLostNodeNames(): string[] {
    return this.nodes.lostNames();
  }

  // ---- jobs ------------------------------------------------------------------------------------

  addJobTracker(tracker: JobTracker): void {
    if (this.isClose()) throw new ShuttingDownError('Cannot add a job tracker to a closed cluster.');
    this.trackers.add(tracker, {
      leaderName: this.view.leaderName,
      work: this.view.acting ? this.leaderships.active : undefined,
    });
  }

  /**
   * Runs a leader job of the leadership `context` was given for (DESIGN §3 leader work): only if
   * that leadership is still this node's and its lease holds on the clock; `false` otherwise.
   * The run is awaited before leadership is handed over; its failures are logged with `name`.
   * `DefaultJobTracker` and the decorators start every run through here.
   */
  runAsLeader(name: string, context: LeaderContext, job: (context: LeaderContext) => unknown): false | Promise<void> {
    return this.leaderships.runAsLeader(name, context, job);
  }

  /**
   * Calls `job` as leader work if this node is the acting leader now (lease checked on the clock);
   * `undefined` otherwise. The job's result and errors are the caller's. Used by `@LeaderOnly`.
   */
  callAsLeader<T>(name: string, job: (context: LeaderContext) => T): Ran<T> | undefined {
    return this.view.acting ? this.leaderships.callAsLeader(name, job) : undefined;
  }

  /** Removes a tracker (a leading one gets onStoppedLeading); resolves when it is idle. */
  removeJobTracker(tracker: JobTracker | string): Promise<void> {
    return this.trackers.remove(tracker);
  }

  // ---- calls -----------------------------------------------------------------------------------

  /** Registers a function other nodes (and this one) can call by name. */
  registerFunc<P = any, R = unknown>(name: string, fn: ClusterFunctionHandler<P, R>): void {
    this.functions.register(name, fn as ClusterFunctionHandler);
  }

  unregisterFunc(name: string): boolean {
    return this.functions.unregister(name);
  }

  /**
   * Calls a function on a node. With a spec from `newFuncSpec`, resolves with its result or
   * rejects with a `ClusterError`; with one from `newAsyncFuncSpec`, returns at once and the
   * outcome goes to the spec (`getResult()`, `done`).
   */
  callFunc<R>(spec: SyncFuncSpec<R>): Promise<R>;
  callFunc<R>(spec: AsyncFuncSpec<R>): Promise<undefined>;
  callFunc<R>(spec: FuncSpec<R>): Promise<R | undefined>;
  callFunc<R>(spec: FuncSpec<R>): Promise<R | undefined> {
    try {
      spec.claim();
    } catch (error) {
      return Promise.reject(error);
    }
    const refusal = this.callRefusal();
    const outcome = refusal ? Promise.reject(refusal) : (this.dispatcher.call(spec) as Promise<R>);
    outcome.then(
      (value) => spec.resolve(value),
      (error: Error) => spec.reject(error),
    );
    return spec.async ? Promise.resolve(undefined) : outcome;
  }

  private callRefusal(): Error | undefined {
    if (this.isClose()) return new ShuttingDownError();
    if (this.phase === 'disabled') {
      return new NotReadyError('The cluster is disabled (enable: false); calls are not served.');
    }
    if (this.phase !== 'running') {
      return new NotReadyError('The cluster has not started; calls work after startUp() (in Nest: after bootstrap).');
    }
    return undefined;
  }

  // ---- beyond the seed -------------------------------------------------------------------------

  /** Resolves with the leader once one is known and this node is ready; rejects on timeout or close. */
  waitForLeader(timeoutMs = 30_000): Promise<ClusterNode> {
    return new Promise<ClusterNode>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let subscription: Subscription | undefined;
      const finish = (error: Error | undefined, leader?: ClusterNode) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        subscription?.unsubscribe();
        if (error) reject(error);
        else resolve(leader!);
      };
      const closed = () => new ShuttingDownError('The cluster closed before a leader was known.');
      subscription = this.stateSubject.subscribe({
        next: (state) => {
          if (state.phase === 'closing' || state.phase === 'closed') finish(closed());
          else if (state.leaderName !== undefined && this.isReady()) finish(undefined, this.getLeaderNode());
        },
        complete: () => finish(closed()),
      });
      if (settled) {
        subscription.unsubscribe();
        return;
      }
      timer = setTimeout(
        () => finish(new TimeoutError(`No leader within ${timeoutMs} ms (node "${this.getMyName()}").`)),
        timeoutMs,
      );
    });
  }

  /**
   * Hands leadership to `toNode` (or the best follower); only the acting leader may do this. This
   * node stops acting at once, its leader jobs are drained (bounded by shutdownTimeoutMs), and only
   * then does the successor get leadership.
   */
  async transferLeadership(toNode?: string): Promise<void> {
    if (!this.view.acting) throw new NotReadyError('Only the acting leader can transfer leadership.');
    if (this.settings.mode === 'single') throw new NotReadyError('Single mode has no other node to transfer leadership to.');
    if (toNode !== undefined) this.nodes.get(toNode);
    if (toNode === this.getMyName()) {
      throw new ClusterError('ERR_CLUSTER_INVALID_ARGUMENT', 'A leader cannot transfer leadership to itself.');
    }
    await this.resignAndDrain('Transferring leadership');
    await this.engine.transferLeadership(toNode);
  }

  getStats(): ClusterStats {
    const served = this.runner.stats;
    return {
      nodeName: this.getMyName(),
      mode: this.settings.mode,
      phase: this.phase,
      role: this.view.role,
      term: this.view.term,
      leaderName: this.view.leaderName,
      isLeader: this.view.acting,
      elections: this.elections,
      leaderships: this.leadershipCount,
      trackers: this.trackers.names,
      functions: this.functions.names,
      callsMade: this.dispatcher.callsMade,
      callsServed: served.served,
      callsFailed: served.failed,
      transport: this.parts.transportStats?.(),
    };
  }
}
