import { spawn, type ChildProcess } from 'node:child_process';
import { sleep } from './clock.js';

/** Every server process the tests and benches started, so a failed test still leaves none running. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

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
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and waits until `ready` says it answers. */
  async start(ready: () => Promise<boolean>, what: string): Promise<void> {
    const child = spawn(this.command, this.args, { stdio: 'ignore', uid: this.user?.uid, gid: this.user?.gid });
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

  /** Sends `signal` and waits for the exit; nothing when it is not running. */
  signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    child.kill(signal);
    return this.exited;
  }
}
