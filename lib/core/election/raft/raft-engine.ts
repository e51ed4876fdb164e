// Slightly over our ~250-line guide: the Raft driver (etcd's rawnode loop) — persist before
// send, one timer, the transport's messages in, views out, storage failure halts — kept in one
// file so the order of those steps can be checked by reading it once.
import type { Clock } from '../../clock.js';
import { ClusterError, TimeoutError } from '../../errors.js';
import { errorStack, errorText, type ClusterLogger } from '../../logger.js';
import type { ClusterSettings } from '../../settings.js';
import type { ElectionEngine, ElectionHost, ElectionView } from '../election-engine.js';
import { NO_LEADER_VIEW } from '../election-engine.js';
import { RateLimitedLog } from '../../rate-limited-log.js';
import { MAX_TERM_STEP, withinReach } from '../term-ceiling.js';
import type { RaftStateStore } from './file-state-store.js';
import { asRaftMessage } from './message-guard.js';
import type { RaftMessage } from './messages.js';
import { raftConfigFrom } from './config.js';
import { incarnationStart } from './incarnation.js';
import { RaftNode } from './raft-node.js';
import type { RaftStatus, Ready, SoftState } from './types.js';

const DROP_LOG_EVERY_MS = 30_000;

/** What the Raft engine needs from the node-to-node transport (the cluster starts and closes it). */
export interface ElectionTransport {
  send(peer: string, payload: unknown): boolean;
  onMessage(handler: (from: string, payload: unknown) => void): void;
  onPeerLost(handler: (peer: string) => void): void;
  /** Fires when a peer becomes reachable or stops being so (a hint for the first election). */
  onPeerChange(handler: (peer: string, alive: boolean) => void): void;
  alivePeers(): string[];
}

export interface RaftEngineDeps {
  readonly settings: ClusterSettings;
  readonly host: ElectionHost;
  readonly transport: ElectionTransport;
  /** Where term and vote survive restarts; without one the node runs by the no-dataDir rule. */
  readonly store: RaftStateStore | undefined;
  readonly clock: Clock;
  readonly logger: ClusterLogger;
  readonly random?: () => number;
}

/**
 * Drives the pure RaftNode with real time and I/O: one timer at the node's next deadline, messages
 * from the transport in, messages out after their state is durable, views out to the cluster.
 */
export class RaftEngine implements ElectionEngine {
  readonly canTransfer = true;
  private node: RaftNode | undefined;
  private current: ElectionView = NO_LEADER_VIEW;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  /** Sends wait behind writes of term and vote (Raft thesis §3.8: persist before answering). */
  private writes: Promise<void> = Promise.resolve();
  private writesPending = 0;
  /** No more input is taken (closing, or failed); writes already queued still finish and send. */
  private stopped = false;
  /** Stopped, and the last frames flushed: nothing more is sent (the cluster closes the transport). */
  private silenced = false;
  /** A write of term and vote failed: the node stopped for good (see storageFailed). */
  private failed = false;
  private halting: Promise<void> | undefined;
  private readonly viewWaiters = new Set<() => void>();
  private readonly self: string;
  /** Election messages dropped as malformed or out of reach, logged per peer without flooding. */
  private readonly dropped: RateLimitedLog;

  constructor(private readonly deps: RaftEngineDeps) {
    this.self = deps.settings.self.name;
    this.dropped = new RateLimitedLog((line) => deps.logger.warn(line), deps.clock, DROP_LOG_EVERY_MS);
  }

  /** How many election messages from peers were dropped as malformed or out of reach. */
  get droppedMessages(): number {
    return this.dropped.count;
  }

  get view(): ElectionView {
    return this.current;
  }

  async start(): Promise<void> {
    const { settings, store, clock, transport } = this.deps;
    const saved = store ? await store.load() : undefined;
    if (!store) {
      this.deps.logger.warn(
        `Cluster mode without dataDir: node "${this.self}" forgets its term and vote on restart, so after a ` +
          'restart it neither votes nor acknowledges for one election timeout, and two leaderships (never ' +
          'acting at once) can share a fencing token. Set dataDir for strictly increasing fencing tokens.',
      );
    }
    const since = incarnationStart(clock);
    this.node = new RaftNode(raftConfigFrom(settings, store !== undefined), saved, clock.now(), this.deps.random ?? Math.random, since);
    // The transport runs already (the cluster starts it first); input before this point was dropped
    // as if lost on the wire, which Raft tolerates.
    transport.onMessage((from, payload) => this.receive(from, payload));
    transport.onPeerLost((peer) => this.drive((node, now) => node.peerLost(peer, now)));
    transport.onPeerChange(() => this.drive((node, now) => node.connected(transport.alivePeers(), now)));
    this.drive((node, now) => node.connected(transport.alivePeers(), now));
  }

  async stop({ handOver }: { handOver: boolean }): Promise<void> {
    if (this.stopped) return;
    if (handOver && this.node && this.status().role === 'leader') {
      // DESIGN §4: the cluster resigned and drained already; TimeoutNow to the most up-to-date
      // follower, then wait (at most one election timeout) until the successor's term deposes us.
      this.drive((node, now) => node.transferLeadership(undefined, now));
      await this.waitFor(() => this.status().role !== 'leader', this.deps.settings.electionTimeoutMs);
    }
    await this.halt();
  }

  /**
   * Takes no more input, then lets queued writes finish and send (the vote this node just gave its
   * successor must reach it), then closes the transport and reports a non-leader view.
   */
  private halt(): Promise<void> {
    this.halting ??= this.closeDown();
    return this.halting;
  }

  private async closeDown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writes;
    // One turn of the event loop: frames written this tick (corked by the transport) leave first.
    await new Promise((resolve) => setImmediate(resolve));
    this.silenced = true;
    this.publish({ ...NO_LEADER_VIEW, term: this.current.term });
  }

  resign(): void {
    this.drive((node, now) => node.resign(now));
  }

  checkLease(): void {
    this.drive((node, now) => node.tick(now));
  }

  async transferLeadership(toNode?: string): Promise<void> {
    this.drive((node, now) => node.transferLeadership(toNode, now));
    const moved = await this.waitFor(() => {
      const status = this.status();
      return status.role !== 'leader' && status.leader !== undefined && status.leader !== this.self;
    }, this.deps.settings.electionTimeoutMs * 2);
    if (!moved) {
      throw new TimeoutError(
        `Leadership transfer${toNode ? ` to "${toNode}"` : ''} did not complete within two election timeouts.`,
      );
    }
  }

  actingUntil(): number {
    const status = this.node?.status(this.deps.clock.now());
    return status?.acting ? (status.leaseUntil ?? Number.NEGATIVE_INFINITY) : Number.NEGATIVE_INFINITY;
  }

  readyUntil(): number {
    if (this.current.acting) return this.actingUntil();
    const heardAt = this.node?.status(this.deps.clock.now()).leaderHeardAt;
    return heardAt === undefined ? Number.NEGATIVE_INFINITY : heardAt + this.deps.settings.electionTimeoutMs;
  }


  private status(): RaftStatus {
    return this.node!.status(this.deps.clock.now());
  }

  private receive(from: string, payload: unknown): void {
    const { message, problem } = asRaftMessage(payload, from, this.self);
    if (!message) return this.drop(from, `a malformed election message (${problem})`);
    const known = this.node?.currentTerm;
    if (known !== undefined && !withinReach(message.term, known)) {
      // term-ceiling.ts: RaftNode ignores it too; this says so, naming the peer.
      return this.drop(from, `an election message whose term ${message.term} is more than ${MAX_TERM_STEP} above ours (${known})`);
    }
    this.drive((node, now) => node.step(message, now));
  }

  private drop(from: string, what: string): void {
    this.dropped.report(from, `Dropped ${what} from "${from}"`);
  }

  /** Runs one input through the state machine and carries out its Ready. */
  private drive(input: (node: RaftNode, now: number) => Ready): void {
    const node = this.node;
    if (!node || this.stopped) return;
    const now = this.deps.clock.now();
    let ready: Ready;
    try {
      ready = input(node, now);
    } catch (error) {
      this.deps.logger.error(`Election step failed: ${errorText(error)}`, errorStack(error));
      return;
    }
    this.output(ready);
    if (ready.softState) this.publish(this.viewOf(ready.softState));
    this.schedule(ready.wakeAt, now);
  }

  private output({ persist, messages }: Ready): void {
    if (!persist && this.writesPending === 0) {
      this.sendAll(messages);
      return;
    }
    this.writesPending++;
    this.writes = this.writes
      .then(async () => {
        if (this.failed) return;
        if (persist) await this.deps.store!.save(persist);
        this.sendAll(messages);
      })
      .catch((error: unknown) => this.storageFailed(error))
      .finally(() => this.writesPending--);
  }

  /**
   * etcd's rule: state is durable only once the write succeeded, and a node whose storage fails
   * stops. Not durable means not said (the vote is never sent); and since the state machine already
   * counts term and vote as its own, going on could later grant a vote that is not on disk.
   */
  private storageFailed(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const failure = new ClusterError(
      'ERR_CLUSTER_STATE_WRITE',
      `Could not persist term and vote to dataDir (${errorText(error)}); node "${this.self}" stopped ` +
        'taking part in elections. Restart it once the directory is writable.',
    );
    void this.halt().then(() => this.deps.host.onFailure(failure));
  }

  private sendAll(messages: readonly RaftMessage[]): void {
    if (this.silenced || this.failed) return;
    for (const message of messages) this.deps.transport.send(message.to, message);
  }

  /** One timer at the earliest deadline; a tick before a deadline is harmless, a late one is not. */
  private schedule(wakeAt: number, now: number): void {
    if (this.stopped || wakeAt >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = wakeAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.drive((node, at) => node.tick(at));
    }, Math.max(0, Math.ceil(wakeAt - now)));
  }

  private viewOf(status: SoftState): ElectionView {
    const leaderName = status.role === 'leader' ? (status.acting ? this.self : undefined) : status.leader;
    return { role: status.role, term: status.term, leaderName, acting: status.acting, fencingToken: status.term };
  }

  private publish(view: ElectionView): void {
    this.current = view;
    this.deps.host.onViewChange(view);
    for (const wake of this.viewWaiters) wake();
  }

  /** Resolves true once `done()` holds after a view change, false after `timeoutMs`. */
  private waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.viewWaiters.delete(check);
        resolve(result);
      };
      const check = () => done() && finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.viewWaiters.add(check);
    });
  }
}
