import type { ChildProcess } from 'node:child_process';
import type { NodeCommand, NodeReport, NodeSpec } from '../nodes/node-messages.js';
import { sharedNow } from './clock.js';
import { nodeScript, startChild, stopChild } from './processes.js';

/** A timestamped event as a node reported it. */
export interface SeenEvent {
  readonly node: string;
  readonly event: string;
  readonly term: number;
  readonly at: number;
}

interface Member {
  readonly spec: NodeSpec;
  child: ChildProcess | undefined;
  /** When the parent forked the current process. */
  forkedAt: number;
  acting: boolean;
  following: string | undefined;
  /** When the process was up, before it loaded the package (`loaded`), once it had (`imported`), and when it had started. */
  loadedAt: number | undefined;
  importedAt: number | undefined;
  startedAt: number | undefined;
}

/**
 * Bench nodes as child processes (`nodes/cluster-node.js`, or `nodes/liferaft-node.js` for specs
 * of mode `liferaft`), one per spec, and everything they
 * report: each node's acting state and leader, and a log of timestamped events to time against.
 */
export class NodeSet {
  readonly log: SeenEvent[] = [];
  private readonly members = new Map<string, Member>();
  private readonly waiters = new Set<() => void>();

  constructor(specs: readonly NodeSpec[]) {
    for (const spec of specs) {
      this.members.set(spec.name, { spec, child: undefined, forkedAt: 0, acting: false, following: undefined, loadedAt: undefined, importedAt: undefined, startedAt: undefined });
    }
  }

  get names(): string[] {
    return [...this.members.keys()];
  }

  startAll(): void {
    for (const name of this.members.keys()) this.start(name);
  }

  start(name: string): void {
    const m = this.member(name);
    m.forkedAt = sharedNow();
    m.acting = false;
    m.following = undefined;
    m.loadedAt = undefined;
    m.importedAt = undefined;
    m.startedAt = undefined;
    const script = nodeScript(m.spec.mode === 'liferaft' ? 'liferaft-node' : m.spec.mode === 'idle-floor' ? 'idle-floor' : 'cluster-node');
    const child = startChild(script, { BENCH_NODE: JSON.stringify(m.spec) });
    m.child = child;
    child.on('message', (r: NodeReport) => {
      if (m.child !== child) return;
      if (r.type === 'loaded') m.loadedAt = r.at;
      if (r.type === 'imported') m.importedAt = r.at;
      if (r.type === 'started') m.startedAt = r.at;
      if (r.type === 'event') {
        this.log.push({ node: name, event: r.event, term: r.term, at: r.at });
        if (r.event === 'SignMaster') m.acting = true;
        if (r.event === 'StopMaster') m.acting = false;
        if (r.event === 'SignFollower') m.following = r.leader;
        if (r.event === 'ReleaseMaster') m.following = undefined;
      }
      this.wake();
    });
    child.once('exit', () => {
      if (m.child === child) {
        m.child = undefined;
        m.acting = false;
      }
      this.wake();
    });
  }

  child(name: string): ChildProcess | undefined {
    return this.member(name).child;
  }

  forkedAt(name: string): number {
    return this.member(name).forkedAt;
  }

  /** The node acting as leader, if exactly one running node says so. */
  leader(): string | undefined {
    const acting = [...this.members.entries()].filter(([, m]) => m.child && m.acting);
    return acting.length === 1 ? acting[0]![0] : undefined;
  }

  /** When the last node's `startUp()` resolved, once all have. */
  startedAll(): number | undefined {
    return this.lastOf((m) => m.startedAt);
  }

  /** When the last node's process was up (its first line ran, before the package loaded), once all were. */
  loadedAll(): number | undefined {
    return this.lastOf((m) => m.loadedAt);
  }

  /** When the last node had loaded the package (nest-cluster, or liferaft and its transport), once all had. */
  importedAll(): number | undefined {
    return this.lastOf((m) => m.importedAt);
  }

  private lastOf(at: (m: Member) => number | undefined): number | undefined {
    let last = 0;
    for (const m of this.members.values()) {
      const t = at(m);
      if (t === undefined) return undefined;
      last = Math.max(last, t);
    }
    return last;
  }

  pid(name: string): number | undefined {
    return this.member(name).child?.pid;
  }

  /** A leader acts and every other running node follows it. */
  settled(): string | undefined {
    const leader = this.leader();
    if (!leader) return undefined;
    for (const [name, m] of this.members) {
      if (name !== leader && (!m.child || m.following !== leader)) return undefined;
    }
    return leader;
  }

  /** Sends `signal` to a node's process; the parent's `sharedNow()` just before is returned. */
  signal(name: string, signal: NodeJS.Signals): { at: number; exited: Promise<void> } {
    const child = this.member(name).child!;
    const at = sharedNow();
    return { at, exited: stopChild(child, signal) };
  }

  /** First event of `type` from a node other than `except`, stamped after `after`. */
  firstEvent(type: string, after: number, except?: string): SeenEvent | undefined {
    return this.log.find((e) => e.event === type && e.at > after && e.node !== except);
  }

  /** Each running node's CPU time (µs) and RSS, as it reports them. */
  async usage(): Promise<Map<string, { cpuMicros: number; rss: number; at: number }>> {
    const out = new Map<string, { cpuMicros: number; rss: number; at: number }>();
    await Promise.all(
      [...this.members.entries()].map(([name, m]) => {
        const child = m.child;
        if (!child) return undefined;
        return new Promise<void>((resolve) => {
          const onMessage = (r: NodeReport) => {
            if (r.type !== 'usage') return;
            child.off('message', onMessage);
            out.set(name, r);
            resolve();
          };
          child.on('message', onMessage);
          child.send({ type: 'usage' } satisfies NodeCommand);
        });
      }),
    );
    return out;
  }

  /** Resolves once `probe` returns a value; re-checked on every report; rejects after `timeoutMs`. */
  async until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = sharedNow() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - sharedNow();
      if (left <= 0) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 100));
        this.waiters.add(wake);
      });
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.members.values()].map((m) => (m.child ? stopChild(m.child, 'SIGTERM') : undefined)));
  }

  private member(name: string): Member {
    const m = this.members.get(name);
    if (!m) throw new Error(`bench: no node ${name}`);
    return m;
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

/** Specs of an n-node cluster-mode set on the given ports; nodes given one `dataDir` keep their files apart by name. */
export function clusterSpecs(
  ports: readonly number[],
  options: { electionTimeoutMs?: number; heartbeatIntervalMs?: number; dataDir?: string; entry?: 'core' | 'root' },
): NodeSpec[] {
  const nodes = ports.map((port, i) => ({ name: `n${i + 1}`, ip: '127.0.0.1', port }));
  return nodes.map((n) => ({ name: n.name, mode: 'cluster', nodes, ...options }));
}

/** The same set as @markwylde/liferaft nodes (election timeout T..2T, heartbeat T/10 unless given). */
export function liferaftSpecs(ports: readonly number[], options: { electionTimeoutMs: number; heartbeatIntervalMs?: number }): NodeSpec[] {
  return clusterSpecs(ports, options).map((spec) => ({ ...spec, mode: 'liferaft' }));
}
