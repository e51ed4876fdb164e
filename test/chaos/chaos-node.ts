import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { hostNow } from './clock.js';
import type { NodeFact, NodeSpec } from './facts.js';
import type { Timeline } from './timeline.js';

/**
 * One node process inside its network namespace (`ip netns exec` execs into node, so the child's
 * PID is the node's: signals go to it by PID, never by name). Its facts go to the timeline; its
 * stdout and stderr to a log file in the run directory that outlives restarts.
 */
export class ChaosNode {
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private stoppedAt: number | undefined;
  /** The process reported `started` since it was last spawned. */
  started = false;

  constructor(
    readonly spec: NodeSpec,
    private readonly namespace: string,
    private readonly script: string,
    private readonly logFile: string,
    private readonly timeline: Timeline,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get paused(): boolean {
    return this.stoppedAt !== undefined;
  }

  spawn(): void {
    const log = openSync(this.logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', this.namespace, process.execPath, this.script], {
      env: { ...process.env, CHAOS_NODE: JSON.stringify(this.spec) },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    this.child = child;
    this.started = false;
    this.timeline.record({ kind: 'spawn', node: this.name, dataDir: this.spec.dataDir !== undefined, at: hostNow() });
    child.on('message', (fact: NodeFact) => {
      if (fact.kind === 'started') this.started = true;
      this.timeline.record({ ...fact, node: this.name });
    });
    this.exited = once(child, 'exit');
  }

  /** SIGSTOP; the paused window opens once the signal has been sent. */
  pause(): void {
    if (!this.alive || this.paused) return;
    this.child!.kill('SIGSTOP');
    this.stoppedAt = hostNow();
  }

  /** SIGCONT; the paused window closes just before the signal is sent. */
  resume(): void {
    if (this.stoppedAt === undefined) return;
    const to = hostNow();
    if (this.alive) this.timeline.record({ kind: 'paused', node: this.name, from: this.stoppedAt, to, at: to });
    this.stoppedAt = undefined;
    this.child?.kill('SIGCONT');
  }

  /** SIGKILL (a paused process too) and wait for the exit; also how a run ends (no hand-over). */
  async kill(): Promise<void> {
    this.resume();
    if (!this.alive) return;
    this.timeline.record({ kind: 'sigkill', node: this.name, at: hostNow() });
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  /** The PID, for emergency cleanup only. */
  get pid(): number | undefined {
    return this.alive ? this.child!.pid : undefined;
  }
}
