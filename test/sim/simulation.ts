import { RaftNode, type PersistentState, type RaftMessage, type Ready } from '../../lib/core/election/raft/index.js';
import { InvariantChecker, type Violation } from './checker.js';
import { EventQueue } from './event-queue.js';
import { Prng } from './prng.js';

export type Persistence = 'all' | 'none' | 'mixed';

/**
 * How a node's acting is judged (README, invariant 2). `clock`: at the instant a leader job would
 * run, by `status(now).acting`, so a frozen node acts neither while frozen nor after its lease ran
 * out (DESIGN §3, leader work). `flag`: by the last status a call reported, as a job runner that
 * trusts a flag set by the engine would (issue #9); kept to show the checker catches that.
 */
export type ActingModel = 'clock' | 'flag';

export interface SimOptions {
  seed: number;
  /** Cluster size. */
  nodes: number;
  /** Number of fault actions in the chaos phase (crashes, partitions, pauses, ...), T/4 apart on average. */
  events: number;
  /** Default: drawn from the seed (60% all, 20% none, 20% mixed). */
  persistence?: Persistence;
  /** Default `clock`. */
  acting?: ActingModel;
  /** One line per fault and per role change, for replaying a seed. */
  trace?: (line: string) => void;
}

export interface SimResult {
  seed: number;
  nodes: number;
  persistence: Persistence;
  violations: Violation[];
  steps: number;
  simulatedMs: number;
  /** True time from the final heal to the first acting leader. */
  recoveryMs: number;
  /** Smallest true-time gap between one leader ceasing to act and another starting. */
  minHandoverGapMs: number;
}

/** Base election timeout T of the simulated nodes (defaults: lease T/2, ρ 0.05, δ T/20). */
export const T = 1000;
const RHO = 0.05;
const DELTA = T / 20;
/** The leader lease L (default T/2). */
const LEASE = T / 2;
/** Real clock-rate spread: rates in 1 ± RHO_REAL, so two clocks disagree by less than RHO. */
const RHO_REAL = 0.45 * RHO;
/** A stalled event loop runs a due call at most this late (true ms), within δ on any clock. */
const MAX_PAUSE = 0.8 * DELTA;
/** A freeze (SIGSTOP, a VM pause) lasts this many leases: far past δ, the lease, often T. */
const FREEZE_LEASES = [1, 5] as const;
/** Bound on the time from the final heal to an acting leader; derived in test/sim/README.md. */
export const LIVENESS_BOUND = 10 * T;
const MAX_DELAY = 400;

interface LinkQuality {
  drop: number;
  dup: number;
  minDelay: number;
  maxDelay: number;
}
const HEALTHY: LinkQuality = { drop: 0, dup: 0.02, minDelay: 1, maxDelay: 20 };
const NORMAL: LinkQuality = { drop: 0.02, dup: 0.02, minDelay: 1, maxDelay: 20 };

const enum Kind {
  Deliver,
  Wake,
  Lost,
  Transfer,
  Restart,
  Chaos,
  Resume,
  /** The transport's report of which peers are connected (RaftNode.connected), true or not. */
  Connected,
}

interface SimEvent {
  at: number;
  seq: number;
  kind: Kind;
  node: number;
  incarnation: number;
  msg?: RaftMessage;
  peer?: string;
  token?: number;
  /** For Connected: the peers reported; undefined means the truth at delivery. */
  peers?: string[];
}

interface SimNode {
  id: string;
  persisted: boolean;
  up: boolean;
  incarnation: number;
  raft: RaftNode;
  rate: number;
  offset: number;
  saved: PersistentState | undefined;
  pausedUntil: number;
  wakeToken: number;
  /** True time of the last crash (-Infinity before the first): no incarnation acts before it ends. */
  crashedAt: number;
}

/** One seeded run: a chaos phase, a final heal with a liveness check, then a rejoin check. */
export function runSimulation(opts: SimOptions): SimResult {
  return new Simulation(opts).run();
}

class Simulation {
  private readonly rng: Prng;
  private readonly ids: string[];
  private readonly nodes: SimNode[];
  private readonly queue = new EventQueue<SimEvent>();
  private readonly checker: InvariantChecker;
  private readonly blocked: Uint8Array;
  private readonly quality: LinkQuality[];
  private readonly persistence: Persistence;
  private now = 0;
  /** When the final heal took full effect: the last freeze then running has ended. */
  private healedAt = Infinity;
  private steps = 0;
  private chaosLeft: number;
  private faultsOn = true;
  private readonly acting: ActingModel;
  private readonly trace?: (line: string) => void;

  constructor(private readonly opts: SimOptions) {
    this.rng = new Prng(opts.seed);
    const n = opts.nodes;
    this.ids = Array.from({ length: n }, (_, i) => `n${i}`);
    this.persistence = opts.persistence ?? this.rng.pick<Persistence>(['all', 'all', 'all', 'none', 'mixed']);
    this.checker = new InvariantChecker(this.ids, this.persistence === 'all');
    this.blocked = new Uint8Array(n * n);
    this.quality = Array.from({ length: n * n }, () => NORMAL);
    this.chaosLeft = opts.events;
    this.acting = opts.acting ?? 'clock';
    this.trace = opts.trace;
    this.nodes = this.ids.map((id, i) => {
      const persisted = this.persistence === 'all' || (this.persistence === 'mixed' && this.rng.chance(0.5));
      const node = { id, persisted, up: true, incarnation: 0, saved: undefined, pausedUntil: 0, wakeToken: 0, crashedAt: Number.NEGATIVE_INFINITY } as unknown as SimNode;
      this.boot(node, i);
      return node;
    });
  }

  run(): SimResult {
    const stepBudget = 2_000 + this.opts.events * 400 * this.opts.nodes;
    this.queue.push({ at: this.rng.between(0, T / 2), kind: Kind.Chaos, node: -1, incarnation: 0 });
    this.runUntil(() => this.chaosLeft <= 0, Infinity, stepBudget);
    const recoveryMs = this.checkLiveness(stepBudget);
    if (recoveryMs < Infinity) this.checkRejoin(stepBudget);
    return {
      seed: this.opts.seed,
      nodes: this.opts.nodes,
      persistence: this.persistence,
      violations: this.checker.violations,
      steps: this.steps,
      simulatedMs: this.now,
      recoveryMs,
      minHandoverGapMs: this.checker.minHandoverGap,
    };
  }

  // ---- phases ------------------------------------------------------------------------------

  /** Invariant 4: with every node up and connected, an acting leader appears within the bound. */
  private checkLiveness(budget: number): number {
    this.faultsOn = false;
    this.chaosLeft = 0;
    this.blocked.fill(0);
    this.quality.fill(HEALTHY);
    for (let i = 0; i < this.nodes.length; i++) if (!this.nodes[i]!.up) this.restart(i);
    // A node frozen at the heal is healed when it resumes: the bound starts once every freeze is over.
    const healedAt = (this.healedAt = Math.max(this.now, ...this.nodes.map((n) => n.pausedUntil)));
    this.log(`heal all; liveness check from ${healedAt.toFixed(3)}`);
    this.runUntil(() => this.actingNode() >= 0, healedAt + LIVENESS_BOUND, budget);
    if (this.actingNode() < 0) {
      this.checker.fail('liveness', this.now, `no acting leader ${LIVENESS_BOUND} ms after the final heal`);
      return Infinity;
    }
    return Math.max(0, this.now - healedAt);
  }

  /** Invariant 5: a follower cut off and rejoining changes nothing while the leader is healthy. */
  private checkRejoin(budget: number): void {
    // Nodes restarted without state at the heal stay mute for T, which may cost the first leader its
    // lease; let the cluster settle, then start from whichever leader acts. A node still frozen is
    // not part of a healthy cluster: the check starts once every freeze is over.
    this.runUntil(() => false, Math.max(this.now, this.healedAt) + 2 * T, budget);
    this.runUntil(() => this.actingNode() >= 0, this.now + LIVENESS_BOUND, budget);
    const leader = this.actingNode();
    if (leader < 0) return this.checker.fail('liveness', this.now, 'no acting leader in a healthy cluster after it settled');
    const { term } = this.status(leader);
    const others = this.nodes.map((_, i) => i).filter((i) => i !== leader);
    const f = this.rng.pick(others);
    this.log(`rejoin check: isolate ${this.ids[f]} from leader ${this.ids[leader]} (term ${term})`);
    this.isolate(f);
    this.runUntil(() => false, this.now + this.rng.between(2 * T, 5 * T), budget);
    this.blocked.fill(0);
    this.runUntil(() => false, this.now + 3 * T, budget);
    const after = this.status(leader);
    const maxTerm = Math.max(...this.nodes.map((_, i) => this.status(i).term));
    if (!after.acting || after.term !== term || maxTerm !== term) {
      this.checker.fail(
        'rejoin-stability',
        this.now,
        `${this.ids[f]} rejoined and leader ${this.ids[leader]} of term ${term} is now ${after.role} of term ${after.term} (max term ${maxTerm})`,
      );
    }
  }

  private runUntil(done: () => boolean, until: number, budget: number): void {
    for (;;) {
      if (done()) return;
      const e = this.queue.pop();
      if (!e) return;
      if (e.at > until) {
        this.queue.push(e);
        this.now = until;
        return;
      }
      this.now = e.at;
      if (++this.steps > budget) {
        this.checker.fail('step-budget', this.now, `more than ${budget} steps: a node keeps waking without progress`);
        this.chaosLeft = 0;
        while (this.queue.pop());
        return;
      }
      this.handle(e);
    }
  }

  // ---- events ------------------------------------------------------------------------------

  private handle(e: SimEvent): void {
    if (e.kind === Kind.Chaos) return this.chaos();
    const node = this.nodes[e.node]!;
    if (e.kind === Kind.Restart) {
      if (!node.up && e.incarnation === node.incarnation) this.restart(e.node);
      return;
    }
    if (!node.up || (e.kind !== Kind.Deliver && e.incarnation !== node.incarnation)) return;
    if (node.pausedUntil > this.now) {
      // A stalled event loop: the node handles this later, in order.
      this.queue.push({ ...e, at: node.pausedUntil });
      return;
    }
    const local = this.localTime(node);
    switch (e.kind) {
      case Kind.Deliver: {
        const msg = e.msg!;
        if (this.blocked[this.ids.indexOf(msg.from) * this.nodes.length + e.node]) return;
        return this.apply(e.node, node.raft.step(msg, local));
      }
      case Kind.Wake:
        if (e.token !== node.wakeToken) return;
        return this.apply(e.node, node.raft.tick(local));
      case Kind.Lost:
        return this.apply(e.node, node.raft.peerLost(e.peer!, local));
      case Kind.Connected:
        return this.apply(e.node, node.raft.connected(e.peers ?? this.reachableFrom(e.node), local));
      case Kind.Transfer:
        return this.apply(e.node, node.raft.transferLeadership(e.peer, local));
      case Kind.Resume:
        // A job timer may fire before any call reaches the node: it acts only if the lease,
        // checked against its clock, still holds, and that check makes the engine tick (checkLease),
        // which applies CheckQuorum before anything else.
        if (this.acting === 'clock') return this.apply(e.node, node.raft.tick(local));
        return;
    }
  }

  private apply(i: number, ready: Ready): void {
    const node = this.nodes[i]!;
    if (ready.persist && node.persisted) node.saved = { ...ready.persist };
    for (const m of ready.messages) this.send(i, m);
    const token = ++node.wakeToken;
    let at = (ready.wakeAt - node.offset) / node.rate;
    while (node.offset + node.rate * at < ready.wakeAt) at += 1e-6;
    const wake = { at: Math.max(at, this.now), kind: Kind.Wake, node: i, incarnation: node.incarnation, token };
    this.queue.push(wake);
    const s = node.raft.status(this.localTime(node));
    if (ready.softState) this.log(`${node.id} ${s.role} term ${s.term}${s.leader ? ` leader ${s.leader}` : ''}${s.acting ? ' ACTING' : ''}`);
    this.checker.observe(i, this.now, s);
  }

  private send(from: number, m: RaftMessage): void {
    const n = this.nodes.length;
    const to = this.ids.indexOf(m.to);
    const link = from * n + to;
    if (this.blocked[link]) return;
    const q = this.quality[link]!;
    if (this.rng.chance(q.drop)) return;
    const copies = this.rng.chance(q.dup) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      this.queue.push({ at: this.now + this.rng.between(q.minDelay, q.maxDelay), kind: Kind.Deliver, node: to, incarnation: 0, msg: m });
    }
  }

  // ---- faults ------------------------------------------------------------------------------

  private chaos(): void {
    if (!this.faultsOn || this.chaosLeft <= 0) return;
    this.chaosLeft--;
    const r = this.rng;
    const n = this.nodes.length;
    const pick = r.int(100);
    if (pick < 12) this.crash(r.int(n));
    else if (pick < 20) this.split();
    else if (pick < 26) this.cutOneWay(r.int(n), r.int(n));
    else if (pick < 30) this.majorityRing();
    else if (pick < 34) this.bridge();
    else if (pick < 40) this.isolate(r.int(n));
    else if (pick < 54) {
      this.log('heal partitions');
      this.blocked.fill(0);
    } else if (pick < 62) this.degradeLink();
    else if (pick < 72) this.pause(r.int(n));
    else if (pick < 82) this.spuriousLoss(r.int(n));
    else if (pick < 88) this.transfer();
    else if (pick < 94) this.falseAlarm();
    else if (pick < 98) this.freeze();
    else if (pick < 99) this.connectionHints();
    // else: a quiet period
    if (this.chaosLeft > 0) this.queue.push({ at: this.now + r.between(0, T / 2), kind: Kind.Chaos, node: -1, incarnation: 0 });
  }

  private crash(i: number): void {
    const node = this.nodes[i]!;
    if (!node.up) return;
    this.log(`crash ${node.id}`);
    node.up = false;
    node.incarnation++;
    node.crashedAt = this.now;
    this.checker.crashed(i, this.now);
    // Its sockets close at once: peers see the loss (unless their side is cut off as well).
    for (let j = 0; j < this.nodes.length; j++) {
      if (j !== i && this.rng.chance(0.9)) this.signalLost(j, node.id, this.rng.between(0, 5));
    }
    this.queue.push({ at: this.now + this.rng.between(0, 4 * T), kind: Kind.Restart, node: i, incarnation: node.incarnation });
  }

  private restart(i: number): void {
    const node = this.nodes[i]!;
    node.up = true;
    node.incarnation++;
    node.pausedUntil = 0;
    this.boot(node, i);
    if (!node.persisted) this.checker.forgot(i);
    this.log(`restart ${node.id}${node.persisted ? ` with ${JSON.stringify(node.saved ?? {})}` : ' without state'}`);
    this.apply(i, node.raft.tick(this.localTime(node)));
  }

  private boot(node: SimNode, i: number): void {
    // A new process: a fresh monotonic clock with its own rate and origin.
    node.rate = 1 + this.rng.between(-RHO_REAL, RHO_REAL);
    node.offset = this.rng.between(0, 1e6);
    const random = this.rng.fork(i * 7919 + node.incarnation).next;
    const cfg = { id: node.id, peers: this.ids, electionTimeoutMs: T, clockDriftBound: RHO, eventLoopMarginMs: DELTA, persisted: node.persisted };
    // The process may have started a while before its Raft node did (module loading, an app's
    // boot), and the driver then counts the mute and the lease contact from the process's start
    // (incarnation.ts): half the boots model that, the process starting anywhere after the previous
    // incarnation crashed and at most 2T before now.
    const startedAgo = this.rng.chance(0.5) ? this.rng.between(0, Math.min(2 * T, this.now - node.crashedAt)) : 0;
    const now = this.localTime(node);
    node.raft = new RaftNode(cfg, node.persisted ? node.saved : undefined, now, random, now - node.rate * startedAgo);
    this.queue.push({ at: this.now, kind: Kind.Wake, node: i, incarnation: node.incarnation, token: ++node.wakeToken });
    // Its connections come up a little after it starts (the first-election hint, issue #15).
    this.hint(i, node, this.rng.between(0, T / 4));
  }

  /** Peers `i` can exchange messages with right now: up, and no cut either way. */
  private reachableFrom(i: number): string[] {
    const n = this.nodes.length;
    return this.ids.filter((_, j) => j !== i && this.nodes[j]!.up && !this.blocked[i * n + j] && !this.blocked[j * n + i]);
  }

  /** A connection report to node `i` after `delay`: usually the truth then, sometimes a random set. */
  private hint(i: number, node: SimNode, delay: number): void {
    const wrong = this.rng.chance(0.2);
    const peers = wrong ? this.ids.filter(() => this.rng.chance(0.5)) : undefined;
    this.queue.push({ at: this.now + delay, kind: Kind.Connected, node: i, incarnation: node.incarnation, peers });
  }

  /** Safety must not rest on the transport's connection reports: every node gets one, true or not. */
  private connectionHints(): void {
    this.log('connection reports to every node');
    this.nodes.forEach((node, i) => node.up && this.hint(i, node, this.rng.between(0, 5)));
  }

  private split(): void {
    const order = this.shuffled();
    const k = 1 + this.rng.int(order.length - 1);
    const side = new Set(order.slice(0, k));
    this.log(`split {${[...side].map((i) => this.ids[i]).join(',')}} | rest`);
    this.partition((a, b) => side.has(a) !== side.has(b));
  }

  /** Each node reaches a majority (its ring neighbours), but no two nodes reach the same one. */
  private majorityRing(): void {
    const n = this.nodes.length;
    const reach = Math.ceil((Math.floor(n / 2)) / 2);
    const order = this.shuffled();
    const pos = new Map(order.map((node, p) => [node, p]));
    this.log(`majority ring ${order.map((i) => this.ids[i]).join('-')}`);
    this.partition((a, b) => {
      const d = Math.abs(pos.get(a)! - pos.get(b)!);
      return Math.min(d, n - d) > reach;
    });
  }

  /** Two halves that only one bridge node connects. */
  private bridge(): void {
    const order = this.shuffled();
    const bridge = order[0]!;
    const left = new Set(order.slice(1, 1 + Math.floor((order.length - 1) / 2)));
    this.log(`bridge ${this.ids[bridge]}`);
    this.partition((a, b) => a !== bridge && b !== bridge && left.has(a) !== left.has(b));
  }

  private partition(cut: (a: number, b: number) => boolean): void {
    const n = this.nodes.length;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b && cut(a, b)) this.block(a, b);
  }

  private cutOneWay(a: number, b: number): void {
    if (a === b) return;
    this.log(`cut ${this.ids[a]} -> ${this.ids[b]}`);
    this.block(a, b);
  }

  private isolate(i: number): void {
    this.log(`isolate ${this.ids[i]}`);
    for (let j = 0; j < this.nodes.length; j++) {
      if (j === i) continue;
      this.block(i, j);
      this.block(j, i);
    }
  }

  /** A cut link breaks the TCP connection: each end may see the loss, though the peer is alive. */
  private block(a: number, b: number): void {
    const n = this.nodes.length;
    if (this.blocked[a * n + b]) return;
    this.blocked[a * n + b] = 1;
    if (this.rng.chance(0.5)) this.signalLost(a, this.ids[b]!, this.rng.between(0, 20));
    if (this.rng.chance(0.5)) this.signalLost(b, this.ids[a]!, this.rng.between(0, 20));
  }

  private degradeLink(): void {
    const n = this.nodes.length;
    if (this.rng.chance(0.3)) {
      this.log('links back to normal');
      this.quality.fill(NORMAL);
      return;
    }
    const link = this.rng.int(n * n);
    const maxDelay = this.rng.between(1, MAX_DELAY);
    this.quality[link] = { drop: this.rng.between(0, 0.5), dup: this.rng.between(0, 0.3), minDelay: 0, maxDelay };
    this.log(`degrade link ${this.ids[Math.floor(link / n)]} -> ${this.ids[link % n]}`);
  }

  private pause(i: number): void {
    const node = this.nodes[i]!;
    if (!node.up) return;
    node.pausedUntil = Math.max(node.pausedUntil, this.now + this.rng.between(0, MAX_PAUSE));
    this.log(`pause ${node.id} until ${node.pausedUntil.toFixed(3)}`);
  }

  /**
   * A freeze of 1–5 leases, the acting leader's more often than not: the process runs nothing,
   * its sockets stay open, and what was due meanwhile (timers, messages) runs in order when it
   * resumes, as after SIGSTOP/SIGCONT. It stops acting at the freeze's start (clock model).
   */
  private freeze(): void {
    const leader = this.actingNode();
    const i = leader >= 0 && this.rng.chance(0.7) ? leader : this.rng.int(this.nodes.length);
    const node = this.nodes[i]!;
    if (!node.up) return;
    const [min, max] = FREEZE_LEASES;
    node.pausedUntil = Math.max(node.pausedUntil, this.now + this.rng.between(min * LEASE, max * LEASE));
    this.log(`freeze ${node.id} until ${node.pausedUntil.toFixed(3)}`);
    if (this.acting === 'clock') this.checker.froze(i, this.now);
    this.queue.push({ at: node.pausedUntil, kind: Kind.Resume, node: i, incarnation: node.incarnation });
  }

  /** The transport says a peer is gone though it is not: safety must not care. */
  private spuriousLoss(i: number): void {
    const s = this.status(i);
    const peer = s.leader && s.leader !== this.ids[i] && this.rng.chance(0.7) ? s.leader : this.rng.pick(this.ids);
    if (peer !== this.ids[i]) this.signalLost(i, peer, 0);
  }

  /**
   * Every follower is told the live leader is gone, so they elect a successor at once while the
   * leader may still hold a lease: only the act-safely wait keeps the two apart. Slow links back to
   * the leader make its last acknowledgements arrive late.
   */
  private falseAlarm(): void {
    const leader = this.nodes.findIndex((n, i) => n.up && this.status(i).role === 'leader');
    if (leader < 0) return;
    const n = this.nodes.length;
    const slow = this.rng.chance(0.5);
    this.log(`false alarm: ${this.ids[leader]} reported lost${slow ? ', slow links to it' : ''}`);
    for (let i = 0; i < n; i++) {
      if (i === leader) continue;
      if (slow) this.quality[i * n + leader] = { drop: 0, dup: 0, minDelay: 0, maxDelay: MAX_DELAY };
      this.signalLost(i, this.ids[leader]!, this.rng.between(0, 5));
    }
  }

  private transfer(): void {
    const leader = this.nodes.findIndex((n, i) => n.up && this.status(i).role === 'leader');
    if (leader < 0) return;
    const target = this.rng.chance(0.5) ? undefined : this.rng.pick(this.ids.filter((_, i) => i !== leader));
    this.log(`transfer from ${this.ids[leader]} to ${target ?? '(most recent)'}`);
    this.queue.push({ at: this.now, kind: Kind.Transfer, node: leader, incarnation: this.nodes[leader]!.incarnation, peer: target });
  }

  private signalLost(i: number, peer: string, after: number): void {
    const node = this.nodes[i]!;
    if (!node.up) return;
    this.queue.push({ at: this.now + after, kind: Kind.Lost, node: i, incarnation: node.incarnation, peer });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private localTime(node: SimNode): number {
    return node.offset + node.rate * this.now;
  }

  private status(i: number) {
    const node = this.nodes[i]!;
    return node.raft.status(this.localTime(node));
  }

  private actingNode(): number {
    return this.nodes.findIndex((n, i) => n.up && this.checker.isActing(i));
  }

  private shuffled(): number[] {
    const order = this.nodes.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  }

  private log(line: string): void {
    this.trace?.(`${this.now.toFixed(3).padStart(12)} ${line}`);
  }
}
