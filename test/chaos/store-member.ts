import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubeConfigFor } from '../../bench/support/lease-api-server.js';
import { MariadbServer } from '../../bench/support/mariadb-server.js';
import { PostgresServer } from '../../bench/support/postgres-server.js';
import type { ServerPlacement } from '../../bench/support/server-process.js';
import { hostNow } from './clock.js';
import type { StoreMode } from './options.js';

/**
 * Our own ports inside our own namespace: no server of anyone else's is ever reached, and none of
 * ours listens anywhere else.
 */
export const STORE_PORTS: Record<StoreMode, number> = { redis: 16379, postgres: 15432, mysql: 13306, kubernetes: 16443 };

/**
 * The lease store of a store-mode run: a server of the run's own in its own network namespace,
 * listening only on that namespace's address. Started once; stopped by PID at the end of the run or
 * on any exit path.
 */
export interface StoreMember {
  /** What a node is given: the store's URL, or in kubernetes mode the path of a kubeconfig file. */
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL by PID (the server and its children), and remove what it kept outside the run dir. Synchronous, idempotent. */
  stop(): void;
}

export function storeMember(mode: StoreMode, namespace: string, ip: string, runDir: string): StoreMember {
  const placement = { namespace, host: ip, port: STORE_PORTS[mode], logFile: join(runDir, `${mode}.log`) };
  switch (mode) {
    case 'redis':
      return new RedisMember(placement);
    case 'postgres':
      return new SqlMember(() => PostgresServer.create(placement.port, placement), (s) => s.url);
    case 'mysql':
      return new SqlMember(() => MariadbServer.create(placement.port, placement), (s) => s.uri);
    case 'kubernetes':
      return new LeaseApiMember(placement, join(runDir, 'kubeconfig.json'));
  }
}

type Placement = Required<ServerPlacement>;

/** A redis-server, without persistence. */
class RedisMember implements StoreMember {
  private child: ChildProcess | undefined;

  constructor(private readonly at: Placement) {}

  get url(): string {
    return `redis://${this.at.host}:${this.at.port}`;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    const log = openSync(this.at.logFile, 'a');
    const args = ['--port', String(this.at.port), '--bind', this.at.host, '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    this.child = spawn('ip', ['netns', 'exec', this.at.namespace, 'redis-server', ...args], { stdio: ['ignore', log, log] });
    closeSync(log);
    const deadline = hostNow() + timeoutMs;
    while (!this.ping()) {
      if (hostNow() > deadline) throw new Error(`chaos: redis-server in ${this.at.namespace} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private ping(): boolean {
    try {
      const cli = ['netns', 'exec', this.at.namespace, 'redis-cli', '-h', this.at.host, '-p', String(this.at.port), 'PING'];
      return execFileSync('ip', cli, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('PONG');
    } catch {
      return false;
    }
  }

  stop(): void {
    killChild(this.child);
  }
}

/**
 * PostgreSQL 15 or MariaDB, through the tests' own helpers (initdb or mariadb-install-db in a temp
 * dir, the server run as the postgres or mysql user). Their data is not the run's to keep.
 */
class SqlMember<S extends PostgresServer | MariadbServer> implements StoreMember {
  private server: S | undefined;

  constructor(
    private readonly create: () => S,
    private readonly urlOf: (server: S) => string,
  ) {}

  get url(): string {
    if (!this.server) throw new Error('chaos: the store has not started');
    return this.urlOf(this.server);
  }

  async start(): Promise<void> {
    // Held before it starts, so that stop() on any exit path finds its process and its temp dir.
    this.server = this.create();
    await this.server.launch();
  }

  stop(): void {
    this.server?.destroySync();
  }
}

/**
 * The tests' stand-in of the Kubernetes Lease API (`bench/support/lease-api-server.ts`) as a process
 * of its own in the namespace; nodes load a kubeconfig file pointing at it, as a pod outside the
 * cluster would. Its Leases live in its memory only.
 */
class LeaseApiMember implements StoreMember {
  private child: ChildProcess | undefined;

  constructor(
    private readonly at: Placement,
    private readonly kubeconfig: string,
  ) {}

  get url(): string {
    return this.kubeconfig;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    const script = fileURLToPath(new URL('./lease-api-member.js', import.meta.url));
    const log = openSync(this.at.logFile, 'a');
    const child = spawn('ip', ['netns', 'exec', this.at.namespace, process.execPath, script], {
      env: { ...process.env, CHAOS_LEASE_API: JSON.stringify({ host: this.at.host, port: this.at.port }) },
      stdio: ['ignore', log, log, 'ipc'],
    });
    closeSync(log);
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chaos: the Lease API stand-in in ${this.at.namespace} did not listen within ${timeoutMs} ms`)), timeoutMs);
      child.once('message', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`chaos: the Lease API stand-in exited (${code ?? signal}) before it listened; see ${this.at.logFile}`));
      });
    });
    writeFileSync(this.kubeconfig, (await kubeConfigFor({ url: `http://${this.at.host}:${this.at.port}` }, 'chaos')).exportConfig());
  }

  stop(): void {
    killChild(this.child);
  }
}

/** SIGKILL by PID if it still runs (`ip netns exec` execs, so the PID is the server's). */
function killChild(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
}
