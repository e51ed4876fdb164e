import type { Observable } from 'rxjs';
import type { Clock } from '../clock.js';
import { quorumSize } from '../election/raft/quorum.js';
import { RateLimitedLog } from '../rate-limited-log.js';
import type { ClusterState } from '../events.js';
import type { ClusterLogger } from '../logger.js';
import type { ClusterMode } from '../settings.js';

/** What the log reads of a cluster: its state and who it reaches (all public `Cluster` API). */
export interface LoggedCluster {
  readonly state$: Observable<ClusterState>;
  getAllNodeNames(): string[];
  getAliveNodeNames(): string[];
}

export interface LeadershipLogOptions {
  readonly mode: ClusterMode;
  readonly electionTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: ClusterLogger;
}

/** Quiet for this many election timeouts of no leader: a normal election takes one or two. */
const WAIT_EXPLAINED_AFTER_TIMEOUTS = 3;
/** "For long": this many election timeouts without a quorum, and at least LONG_MIN_MS. */
const LONG_TIMEOUTS = 10;
const LONG_MIN_MS = 30_000;

/**
 * Issue #12: operators see leadership in the log without writing a listener. One `log` line on
 * every node for each change of who leads (with the term); in cluster mode, while no leader is
 * known, one line saying which nodes a quorum is missing, and a warning (repeated at most once
 * per "long" period) when that lasts. Everything here is read from `state$` and the node table,
 * so the engines know nothing of it.
 */
export class LeadershipLog {
  private last: { leaderName: string | undefined; isLeader: boolean; term: number } | undefined;
  private leaderless: { since: number; explained: string | undefined } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly longMs: number;
  private readonly noQuorum: RateLimitedLog;

  constructor(
    private readonly cluster: LoggedCluster,
    private readonly selfName: string,
    private readonly options: LeadershipLogOptions,
  ) {
    this.longMs = Math.max(LONG_MIN_MS, LONG_TIMEOUTS * options.electionTimeoutMs);
    this.noQuorum = new RateLimitedLog((line) => options.logger.warn(line), options.clock, this.longMs);
    cluster.state$.subscribe({ next: (state) => this.onState(state), complete: () => this.stopWatch() });
  }

  private onState(state: ClusterState): void {
    const { leaderName, isLeader, term, phase } = state;
    if (phase === 'running' && this.last === undefined) this.last = { leaderName: undefined, isLeader: false, term };
    const last = this.last;
    if (last && (last.leaderName !== leaderName || last.isLeader !== isLeader)) {
      this.options.logger.log(this.change(last, state));
    }
    if (last) this.last = { leaderName, isLeader, term };
    const waiting = phase === 'running' && leaderName === undefined;
    if (waiting && this.options.mode === 'cluster') this.startWatch();
    else this.stopWatch();
  }

  private change(prev: NonNullable<LeadershipLog['last']>, { leaderName, isLeader, term, phase }: ClusterState): string {
    const self = this.selfName;
    if (isLeader) return `Leadership: "${self}" (this node) leads, term ${term}.`;
    if (leaderName !== undefined) return `Leadership: "${leaderName}" leads, term ${term}; "${self}" follows.`;
    if (prev.isLeader) {
      const why = phase === 'closing' || phase === 'closed' ? 'closing' : 'handing over, or its lease ran out';
      return `Leadership: "${self}" (this node) stopped leading (term ${prev.term}): ${why}.`;
    }
    return `Leadership: no leader known to "${self}"; "${prev.leaderName}" (term ${prev.term}) no longer leads as far as it can tell.`;
  }

  // ---- waiting for a quorum (cluster mode) ------------------------------------------------------

  private startWatch(): void {
    if (this.leaderless) return;
    this.leaderless = { since: this.options.clock.now(), explained: undefined };
    // A check per election timeout: the wait is measured on the cluster's clock, not by this timer.
    this.timer = setInterval(() => this.checkQuorum(), Math.max(10, Math.min(this.options.electionTimeoutMs, 1000)));
    this.timer.unref();
  }

  private stopWatch(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.leaderless = undefined;
  }

  private checkQuorum(): void {
    const waiting = this.leaderless;
    if (!waiting) return;
    const all = this.cluster.getAllNodeNames();
    const alive = new Set(this.cluster.getAliveNodeNames());
    const needed = quorumSize(all.length);
    const missing = all.filter((name) => !alive.has(name));
    if (alive.size >= needed) {
      waiting.explained = undefined;
      return;
    }
    const waitedMs = this.options.clock.now() - waiting.since;
    const reach = `"${this.selfName}" reaches ${alive.size} of ${all.length} nodes and a leader needs ${needed}; missing ${missing.map((n) => `"${n}"`).join(', ')}`;
    if (waitedMs >= this.longMs) {
      this.noQuorum.report(
        'no-quorum',
        `No quorum for ${Math.round(waitedMs / 1000)} s: ${reach}. Check that those nodes run and that this ` +
          'node can reach them (address and port in `nodes`, the same `secret` or TLS CA everywhere)',
      );
    } else if (waitedMs >= WAIT_EXPLAINED_AFTER_TIMEOUTS * this.options.electionTimeoutMs) {
      // Once per set of missing nodes: the line says what the election waits for.
      const key = missing.join(',');
      if (waiting.explained === key) return;
      waiting.explained = key;
      this.options.logger.log(`Waiting for a quorum to elect a leader: ${reach}.`);
    }
  }
}
