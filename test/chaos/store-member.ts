import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { hostNow } from './clock.js';

/** Our own port inside our own namespace: no Redis of anyone else's is ever reached. */
export const REDIS_PORT = 16379;

/** A redis-server of this run's own, in its own network namespace, stopped by its PID. */
export class RedisMember {
  private child: ChildProcess | undefined;

  constructor(
    private readonly namespace: string,
    private readonly ip: string,
    private readonly logFile: string,
  ) {}

  get url(): string {
    return `redis://${this.ip}:${REDIS_PORT}`;
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const args = ['--port', String(REDIS_PORT), '--bind', this.ip, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    this.child = spawn('ip', ['netns', 'exec', this.namespace, 'redis-server', ...args], { stdio: ['ignore', log, log] });
    closeSync(log);
    const deadline = hostNow() + timeoutMs;
    while (!this.ping()) {
      if (hostNow() > deadline) throw new Error(`chaos: redis-server in ${this.namespace} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private ping(): boolean {
    try {
      const cli = ['netns', 'exec', this.namespace, 'redis-cli', '-h', this.ip, '-p', String(REDIS_PORT), 'PING'];
      return execFileSync('ip', cli, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('PONG');
    } catch {
      return false;
    }
  }

  stop(): void {
    const pid = this.pid;
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }
}
