import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sleep } from './clock.js';
import { processTree } from './server-user.js';

/** Every server process the tests and benches started, so a failed test still leaves none running. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Where a server runs when not on the host's loopback: inside a network namespace of the caller's
 * own (the chaos harness's), listening on `host` and a fixed `port` there, its output appended to
 * `logFile`. Entering a namespace needs root, so the server is started through `ip netns exec` and
 * `setpriv`, which both exec: the child's PID is still the server's own.
 */
export interface ServerPlacement {
  readonly namespace: string;
  readonly host: string;
  readonly port: number;
  readonly logFile?: string;
}

/**
 * One database server process of a test's own, started under `user` (when the tests run as root)
 * and signalled by its PID only, never by name.
 */
export class ServerProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly command: string,
    private readonly args: readonly string[],
    private readonly user: { uid: number; gid: number } | undefined,
    private readonly placement?: ServerPlacement,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the process is running (started, not exited). */
  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and waits until `ready` says it answers. */
  async start(ready: () => Promise<boolean>, what: string): Promise<void> {
    const child = this.spawn();
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => running.delete(child));
    const deadline = performance.now() + 60_000;
    while (!(await ready())) {
      if (performance.now() > deadline || child.exitCode !== null) throw new Error(`Timed out waiting for ${what}.`);
      await sleep(50);
    }
  }

  private spawn(): ChildProcess {
    const p = this.placement;
    if (!p) return spawn(this.command, this.args, { stdio: 'ignore', uid: this.user?.uid, gid: this.user?.gid });
    const as = this.user ? ['setpriv', `--reuid=${this.user.uid}`, `--regid=${this.user.gid}`, '--clear-groups'] : [];
    const log = p.logFile === undefined ? 'ignore' : openSync(p.logFile, 'a');
    try {
      return spawn('ip', ['netns', 'exec', p.namespace, ...as, this.command, ...this.args], { stdio: ['ignore', log, log] });
    } finally {
      if (typeof log === 'number') closeSync(log);
    }
  }

  /**
   * SIGSTOP (or SIGCONT) the server and every process below it (PostgreSQL's backends; MariaDB
   * has only threads): it stops answering and its sockets stay open.
   */
  freeze(frozen: boolean): void {
    if (this.child?.pid === undefined) return;
    for (const pid of processTree(this.child.pid)) {
      try {
        process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
  }

  /** For exit paths that cannot wait: SIGKILL the server and every process below it, by PID. */
  killSync(): void {
    const pid = this.alive ? this.child!.pid : undefined;
    for (const p of pid === undefined ? [] : processTree(pid)) {
      try {
        process.kill(p, 'SIGCONT');
        process.kill(p, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }

  /** Sends `signal` and waits for the exit; nothing when it is not running. */
  signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    child.kill(signal);
    return this.exited;
  }
}
