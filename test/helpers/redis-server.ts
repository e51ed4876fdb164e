import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

/** Every server process this file started, so a failed test still leaves none running. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export { freePort };

/** Sends one inline command over a fresh socket and returns the raw reply (no client library). */
export function rawCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no reply to ${command} on ${port}`)), timeoutMs);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith('\r\n')) socket.end();
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(reply);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function ping(port: number): Promise<boolean> {
  try {
    return (await rawCommand(port, 'PING', 500)).startsWith('+PONG');
  } catch {
    return false;
  }
}

export interface RedisServerOptions {
  /** Append-only file fsynced on every write, so a SIGKILL loses nothing. Default off. */
  persistence?: boolean;
  /** Extra arguments, e.g. cluster mode. */
  args?: string[];
  port?: number;
  dir?: string;
  /** A config file to start from (Sentinel); it then sets port, bind and dir itself. */
  configFile?: string;
}

/**
 * A redis-server of this test's own on a free 127.0.0.1 port, in a temp dir. Stopped by its PID
 * (SIGTERM, then SIGKILL), never by name, so no other Redis on the machine is ever touched.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const port = options.port ?? (await freePort());
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'nest-cluster-redis-'));
    const server = new RedisServer(port, dir, options);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async launch(): Promise<void> {
    const persistence = this.options.persistence
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
      : ['--appendonly', 'no', '--save', ''];
    const args = this.options.configFile
      ? [this.options.configFile, ...(this.options.args ?? [])]
      : ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...persistence, ...(this.options.args ?? [])];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    running.add(child);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => running.delete(child));
    await waitFor(() => ping(this.port), { timeoutMs: 10_000, intervalMs: 20, what: `redis-server on port ${this.port}` });
  }

  /** SIGTERM, then SIGKILL if it has not exited within 2 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** A crash: SIGKILL, no shutdown save. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Starts again on the same port and dir (data survives only with `persistence`). */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** CLIENT PAUSE: the server holds every client's commands for `ms`. */
  async pause(ms: number): Promise<void> {
    const reply = await rawCommand(this.port, `CLIENT PAUSE ${ms} ALL`);
    if (!reply.startsWith('+OK')) throw new Error(`CLIENT PAUSE failed: ${reply}`);
  }

  /** Stops the server and removes its directory. */
  async dispose(): Promise<void> {
    await this.stop();
    if (!this.options.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Redis Cluster of `masters` masters (no replicas), each its own redis-server in one temp dir. */
export class RedisClusterServers {
  private constructor(
    readonly servers: RedisServer[],
    readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<RedisClusterServers> {
    const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-rcluster-'));
    const servers: RedisServer[] = [];
    try {
      for (let i = 0; i < masters; i++) {
        const nodeDir = join(dir, `n${i}`);
        mkdirSync(nodeDir, { recursive: true });
        servers.push(
          await RedisServer.start({
            dir: nodeDir,
            args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
          }),
        );
      }
      const create = spawnSync(
        'redis-cli',
        ['--cluster', 'create', ...servers.map((s) => `127.0.0.1:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
      await waitFor(
        async () => {
          const states = await Promise.all(servers.map((s) => rawCommand(s.port, 'CLUSTER INFO').catch(() => '')));
          return states.every((info) => info.includes('cluster_state:ok'));
        },
        { timeoutMs: 20_000, intervalMs: 50, what: 'cluster_state:ok on every master' },
      );
      return new RedisClusterServers(servers, dir);
    } catch (error) {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  get nodes(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A Sentinel watching `master`, on its own free port. */
export class RedisSentinel {
  private constructor(
    readonly server: RedisServer,
    readonly masterName: string,
  ) {}

  static async start(master: RedisServer, masterName = 'leases'): Promise<RedisSentinel> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'nest-cluster-sentinel-'));
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
        `sentinel down-after-milliseconds ${masterName} 500`,
        `sentinel failover-timeout ${masterName} 2000`,
        '',
      ].join('\n'),
    );
    const server = await RedisServer.start({ port, dir, args: ['--sentinel'], configFile: conf });
    return new RedisSentinel(server, masterName);
  }

  get port(): number {
    return this.server.port;
  }

  async dispose(): Promise<void> {
    await this.server.stop();
    rmSync(this.server.dir, { recursive: true, force: true });
  }
}
