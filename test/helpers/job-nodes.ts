import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { repoRoot } from './built-lib.js';
import { freePorts } from './ports.js';
import { SECRET } from './raft-cluster.js';
import { onLines } from './child-lines.js';

/**
 * CLOCK_MONOTONIC in ms with µs precision, the clock test/fixtures/job-node.mjs stamps its lines
 * with: the same for every process on the host, so the test can order lines of all nodes and its
 * own actions (SIGSTOP, SIGCONT, SIGTERM) on one time line.
 */
export function hostMonotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

export type JobSpec = { kind: 'tick'; everyMs: number } | { kind: 'slow'; everyMs: number; runMs: number | null };

interface Stamped {
  node: string;
  /** hostMonotonicMs() when the node printed the line. */
  at: number;
}
export interface EventLine extends Stamped {
  kind: 'event';
  type: string;
  term: number;
  leaderName?: string;
}
export interface TickLine extends Stamped {
  kind: 'tick';
  token: number;
  term: number;
  aborted: boolean;
  isLeader: boolean;
}
export interface RunLine extends Stamped {
  kind: 'run-start' | 'run-end' | 'started';
  token: number;
  aborted?: boolean;
  isLeader?: boolean;
}
export interface LifecycleLine extends Stamped {
  kind: 'sigterm' | 'closed';
}
export type JobNodeLine = EventLine | TickLine | RunLine | LifecycleLine;

/** One node of test/fixtures/job-node.mjs in its own process, with every line it printed. */
export class JobNode {
  readonly lines: JobNodeLine[] = [];
  readonly exited: Promise<unknown>;
  exitedAt: number | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    onLines(child.stdout!, (line) => this.lines.push(JSON.parse(line) as JobNodeLine));
    this.exited = once(child, 'exit').then(() => void (this.exitedAt = hostMonotonicMs()));
  }

  get events(): EventLine[] {
    return this.lines.filter((l): l is EventLine => l.kind === 'event');
  }

  get ticks(): TickLine[] {
    return this.lines.filter((l): l is TickLine => l.kind === 'tick');
  }

  /** Lines of one kind, in the order printed. */
  of<K extends JobNodeLine['kind']>(kind: K): (JobNodeLine & { kind: K })[] {
    return this.lines.filter((l): l is JobNodeLine & { kind: K } => l.kind === kind);
  }

  /** Acting by its own events: its latest SignMaster is not followed by a StopMaster. */
  get leading(): boolean {
    return this.lastSignMaster !== undefined;
  }

  /** The SignMaster that opened the current leadership, if it leads. */
  get lastSignMaster(): EventLine | undefined {
    const last = this.events.filter((e) => e.type === 'SignMaster' || e.type === 'StopMaster').at(-1);
    return last?.type === 'SignMaster' ? last : undefined;
  }

  /** Sends a signal to this process (a no-op once it has exited). */
  signal(signal: NodeJS.Signals): void {
    if (this.exitedAt === undefined) this.child.kill(signal);
  }
}

export interface JobClusterOptions {
  buildDir: string;
  names: string[];
  job: JobSpec;
  /** Cluster options every node gets besides nodes, nodeName and secret. */
  options: Record<string, unknown>;
}

/**
 * Job nodes in child processes on free 127.0.0.1 ports, sharing the test secret. No dataDir: no
 * node restarts in these tests, so terms are never reused. `kill()` SIGKILLs whatever is left
 * (a stopped process too) and waits for the exits; call it in afterEach.
 */
export class JobCluster {
  private readonly spawned: JobNode[] = [];

  async start({ buildDir, names, job, options }: JobClusterOptions): Promise<JobNode[]> {
    const ports = await freePorts(names.length);
    const nodes = names.map((name, i) => ({ name, ip: '127.0.0.1', port: ports[i]! }));
    return names.map((name) => {
      const config = { buildDir, job, options: { mode: 'cluster', secret: SECRET, ...options, nodes, nodeName: name } };
      const child = spawn(process.execPath, [`${repoRoot}test/fixtures/job-node.mjs`, JSON.stringify(config)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const node = new JobNode(name, child);
      this.spawned.push(node);
      return node;
    });
  }

  async kill(): Promise<void> {
    for (const node of this.spawned.splice(0)) {
      node.signal('SIGKILL');
      await node.exited;
    }
  }
}
