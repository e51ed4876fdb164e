// Longer than our ~250-line guide on purpose: this is the seed's ICluster, about thirty public
// methods of one or two lines each with the documentation users read in their editor. The work is
// in the parts it delegates to (lifecycle.ts, state/, jobs/, rpc/); splitting the façade itself
// would only scatter the API.
import type { Observable } from 'rxjs';
import type { Clock } from './clock.js';
import type { ElectionEngine, ElectionHost } from './election/election-engine.js';
import { ClusterError, NotReadyError, ShuttingDownError } from './errors.js';
import type { ClusterEvent, ClusterState } from './events.js';
import type { JobTracker } from './jobs/job-tracker.js';
import { JobTrackerSet } from './jobs/job-tracker-set.js';
import type { LeaderContext } from './jobs/leader-context.js';
import type { Ran } from './jobs/leader-work.js';
import { Leaderships } from './jobs/leaderships.js';
import type { ClusterInstrumentation, SkipReason } from './instrumentation/instrumentation.js';
import { Instruments } from './instrumentation/instruments.js';
import { Lifecycle } from './lifecycle.js';
import type { ClusterLogger } from './logger.js';
import type { ClusterNode } from './node.js';
import { NodeTable } from './node-table.js';
import { CallClient } from './rpc/call-client.js';
import { CallDispatcher } from './rpc/call-dispatcher.js';
import { CallServer } from './rpc/call-server.js';
import { Calls } from './rpc/calls.js';
import { FuncRegistry, type ClusterFunctionHandler } from './rpc/func-registry.js';
import type { AsyncFuncSpec, FuncSpec, SyncFuncSpec } from './rpc/func-spec.js';
import { FunctionRunner } from './rpc/function-runner.js';
import type { ClusterSettings } from './settings.js';
import { LeadershipEvents } from './state/leadership-events.js';
import { LeadershipLog } from './state/leadership-log.js';
import { waitForLeader } from './state/wait-for-leader.js';
import type { ClusterParts, ClusterStats, ClusterTransport } from './cluster-parts.js';

export type { ClusterParts, ClusterStats, ClusterTransport } from './cluster-parts.js';

/**
 * One node of the cluster, framework-free: the seed's ICluster over its parts, each owning one job:
 * the election engine, `LeadershipEvents` (views → ordered events, `events$`, `state$`),
 * `Leaderships` (leader work of each leadership), the job trackers, `Calls`, and `Lifecycle`
 * (start, and stop in the hand-over order). `ClusterService` is this class for Nest.
 */
export class Cluster {
  /** Where the cluster and its jobs log (the `logger` option). */
  readonly logger: ClusterLogger;
  /** Every cluster event, in order, as it happens (hot: no replay). */
  readonly events$: Observable<ClusterEvent>;
  /** This node's state; replays the latest to each new subscriber. */
  readonly state$: Observable<ClusterState>;

  private readonly selfName: string;
  private readonly mode: ClusterSettings['mode'];
  private readonly clock: Clock;
  private readonly engine: ElectionEngine;
  private readonly state: LeadershipEvents;
  private readonly leaderships: Leaderships;
  private readonly trackers: JobTrackerSet;
  private readonly nodes: NodeTable;
  private readonly runner: FunctionRunner;
  private readonly calls: Calls;
  private readonly lifecycle: Lifecycle;
  private readonly transport: ClusterTransport | undefined;
  private readonly instruments: Instruments;

  constructor(settings: ClusterSettings, parts: ClusterParts) {
    this.logger = settings.logger;
    this.selfName = settings.self.name;
    this.mode = settings.mode;
    this.clock = parts.clock;
    const configured = new Map(settings.nodes.map((node) => [node.name, node]));
    this.instruments = new Instruments(parts.clock, this.logger, this.selfName, (name) => configured.get(name));
    const functions = new FuncRegistry();
    this.runner = new FunctionRunner(functions, this.instruments);
    this.transport = parts.transport;
    // rpc/ over the transport: this node serves its functions to peers and calls theirs.
    if (this.transport) new CallServer(this.transport, this.runner, this.logger);
    const host: ElectionHost = {
      onViewChange: (view) => this.state.onViewChange(view),
      onFailure: (error) => this.lifecycle.engineFailed(error),
    };
    this.engine = parts.createEngine(host, this.transport);
    this.leaderships = new Leaderships({
      clock: parts.clock,
      logger: this.logger,
      instruments: this.instruments,
      actingUntil: () => this.engine.actingUntil(),
      checkLease: () => this.engine.checkLease(),
    });
    this.trackers = new JobTrackerSet(this.logger);
    this.state = new LeadershipEvents(this.selfName, settings.enabled, parts.clock, this.leaderships, this.trackers, this.logger);
    this.events$ = this.state.events$;
    this.state$ = this.state.state$;
    this.nodes = new NodeTable(settings.nodes, this.selfName, (name) => this.isAlive(name));
    const dispatcher = new CallDispatcher(this.selfName, this.nodes, this.runner, this.transport && new CallClient(this.transport));
    this.calls = new Calls(functions, dispatcher, () => this.state.phase, this.instruments);
    this.lifecycle = new Lifecycle({
      engine: this.engine,
      transport: this.transport,
      state: this.state,
      leaderships: this.leaderships,
      trackers: this.trackers,
      shutdownCalls: () => this.calls.shutdown(),
      shutdownTimeoutMs: settings.shutdownTimeoutMs,
      logger: this.logger,
    });
    new LeadershipLog(this, this.selfName, { ...settings, clock: parts.clock });
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
    return this.lifecycle.startUp();
  }

  /**
   * Leaves the cluster: an acting leader stops acting, its leader jobs and job callbacks are
   * drained (bounded by shutdownTimeoutMs), then it hands leadership over; calls in flight are
   * rejected, and nothing is left holding the event loop. Idempotent.
   */
  close(): Promise<void> {
    return this.lifecycle.close();
  }

  // ---- the seed's ICluster ---------------------------------------------------------------------

  /** This node is running an election (pre-candidate or candidate). */
  isFighting(): boolean {
    return this.state.view.role === 'pre-candidate' || this.state.view.role === 'candidate';
  }

  isClose(): boolean {
    return this.state.phase === 'closing' || this.state.phase === 'closed';
  }

  /** An acting leader, or a follower that heard from a known leader within the election timeout. */
  isReady(): boolean {
    return (
      this.state.phase === 'running' &&
      this.state.view.leaderName !== undefined &&
      this.clock.now() < this.engine.readyUntil()
    );
  }

  /**
   * This node is the acting leader: it holds the lease, so no other node is acting. The lease is
   * checked on the clock at every call; one found over ends the leadership's signal at once.
   */
  isLeader(): boolean {
    return this.state.view.acting && this.leaderships.current !== undefined;
  }

  isCandidate(): boolean {
    return this.state.view.role === 'candidate';
  }

  isFollower(): boolean {
    return this.state.view.role === 'follower';
  }

  getLeaderNode(): ClusterNode | undefined {
    const name = this.state.view.leaderName;
    return name === undefined ? undefined : (this.nodes.find(name) ?? this.nodes.unlisted(name));
  }

  getLeaderName(): string | undefined {
    return this.state.view.leaderName;
  }

  getMyNode(): ClusterNode {
    return this.nodes.get(this.selfName);
  }

  getMyName(): string {
    return this.selfName;
  }

  getMyTerm(): number {
    return this.state.view.term;
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

  /**
   * Alive: connected and heard from within T (the transport). Without one (redis mode without
   * addresses), what the lease proves: the leader, while this node is ready under it.
   */
  private isAlive(name: string): boolean {
    if (this.transport) return this.transport.isAlive(name);
    return name === this.state.view.leaderName && this.isReady();
  }

  // ---- jobs ------------------------------------------------------------------------------------

  addJobTracker(tracker: JobTracker): void {
    if (this.isClose()) throw new ShuttingDownError('Cannot add a job tracker to a closed cluster.');
    this.trackers.add(tracker, {
      leaderName: this.state.view.leaderName,
      work: this.state.view.acting ? this.leaderships.active : undefined,
    });
  }

  /** Removes a tracker (a leading one gets onStoppedLeading); resolves when it is idle. */
  removeJobTracker(tracker: JobTracker | string): Promise<void> {
    return this.trackers.remove(tracker);
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
    return this.state.view.acting ? this.leaderships.callAsLeader(name, job) : undefined;
  }

  /** Reports a scheduled leader-job run that did not start (`DefaultJobTracker`, `@MasterCron`). */
  leaderJobSkipped(name: string, reason: SkipReason): void {
    if (this.instruments.active) this.instruments.leaderJobSkipped(name, reason);
  }

  // ---- calls -----------------------------------------------------------------------------------

  /** Registers a function other nodes (and this one) can call by name. */
  registerFunc<P = any, R = unknown>(name: string, fn: ClusterFunctionHandler<P, R>): void {
    this.calls.register(name, fn as ClusterFunctionHandler);
  }

  unregisterFunc(name: string): boolean {
    return this.calls.unregister(name);
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
    return this.calls.call(spec);
  }

  // ---- beyond the seed -------------------------------------------------------------------------

  /**
   * Resolves with the leader once one is known and this node is ready; rejects on timeout, on close,
   * and at once when the cluster is disabled.
   */
  waitForLeader(timeoutMs = 30_000): Promise<ClusterNode> {
    return waitForLeader(this.state$, () => this.isReady(), () => this.getLeaderNode()!, timeoutMs, this.selfName);
  }

  /**
   * Hands leadership to `toNode` (or the best follower); only the acting leader may do this. This
   * node stops acting at once, its leader jobs are drained (bounded by shutdownTimeoutMs), and only
   * then does the successor get leadership.
   */
  async transferLeadership(toNode?: string): Promise<void> {
    if (!this.state.view.acting) throw new NotReadyError('Only the acting leader can transfer leadership.');
    if (!this.engine.canTransfer) throw new NotReadyError(`There is no other node to transfer leadership to (${this.mode} mode).`);
    if (toNode !== undefined) this.nodes.get(toNode);
    if (toNode === this.selfName) {
      throw new ClusterError('ERR_CLUSTER_INVALID_ARGUMENT', 'A leader cannot transfer leadership to itself.');
    }
    await this.lifecycle.transferLeadership(toNode);
  }

  /**
   * Registers hooks told of every call made and served and every leader-job run (start, outcome,
   * duration) and skip; `nest-cluster/prometheus` and `nest-cluster/tracing` are built on this.
   * Until one is registered, calls and runs pay a single check. Undo with `removeInstrumentation`.
   *
   * @example
   * cluster.addInstrumentation({ leaderJobRun: ({ job }) => ({ end: ({ outcome }) => logger.log(`${job}: ${outcome}`) }) });
   */
  addInstrumentation(instrumentation: ClusterInstrumentation): void {
    this.instruments.add(instrumentation);
  }

  removeInstrumentation(instrumentation: ClusterInstrumentation): boolean {
    return this.instruments.remove(instrumentation);
  }

  getStats(): ClusterStats {
    const served = this.runner.stats;
    const view = this.state.view;
    return {
      nodeName: this.selfName,
      mode: this.mode,
      phase: this.state.phase,
      role: view.role,
      term: view.term,
      leaderName: view.leaderName,
      isLeader: view.acting,
      elections: this.state.elections,
      leaderships: this.state.leaderships,
      trackers: this.trackers.names,
      functions: this.calls.names,
      callsMade: this.calls.made,
      callsServed: served.served,
      callsFailed: served.failed,
      transport: this.transport?.stats(),
    };
  }
}
