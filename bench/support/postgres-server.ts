import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { ServerProcess } from './server-process.js';
import { processTree, serverDir, serverUser } from './server-user.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const hasPostgres = existsSync(join(PG_BIN, 'postgres'));

/**
 * A PostgreSQL 15 of this test's own: `initdb` in a temp dir, then the `postgres` server itself
 * (not pg_ctl, so the test holds its PID) on a free 127.0.0.1 port with its socket in the temp dir.
 * Run as the postgres user when the tests run as root. Stopped by PID, never by name.
 */
export class PostgresServer {
  private readonly process: ServerProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    user: { uid: number; gid: number } | undefined,
  ) {
    const args = ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
    this.process = new ServerProcess(join(PG_BIN, 'postgres'), args, user);
  }

  static async start(): Promise<PostgresServer> {
    const user = serverUser('postgres');
    const dir = serverDir('nest-cluster-pg-', user);
    const init = spawnSync(join(PG_BIN, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      encoding: 'utf8',
      uid: user?.uid,
      gid: user?.gid,
      timeout: 120_000,
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
    const server = new PostgresServer(await freePort(), dir, user);
    await server.launch();
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** One statement over a fresh connection of its own. */
  async query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  private launch(): Promise<void> {
    return this.process.start(() => this.query('SELECT 1').then(() => true, () => false), `postgres on port ${this.port}`);
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return this.process.signal(signal);
  }

  /** Fast shutdown (SIGINT): every session is ended, the data is kept. */
  stop(): Promise<void> {
    return this.signal('SIGINT');
  }

  /** A crash: immediate shutdown (SIGQUIT), every backend killed without a checkpoint. */
  kill(): Promise<void> {
    return this.signal('SIGQUIT');
  }

  /** Starts again on the same port and data. */
  restart(): Promise<void> {
    return this.launch();
  }

  /** SIGSTOP (or SIGCONT) the server and every backend: the database stops answering, sockets stay open. */
  freeze(frozen: boolean): void {
    if (this.process.pid === undefined) return;
    for (const pid of processTree(this.process.pid)) {
      try {
        process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
      } catch {
        // exited meanwhile
      }
    }
  }

  async dispose(): Promise<void> {
    this.freeze(false);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** PgBouncer in transaction mode in front of `server`, on its own free port; stopped by PID. */
export class PgBouncer {
  private constructor(
    readonly port: number,
    private readonly process: ServerProcess,
    private readonly dir: string,
  ) {}

  static readonly binary = '/usr/sbin/pgbouncer';
  static readonly available = existsSync(PgBouncer.binary);

  static async start(server: PostgresServer): Promise<PgBouncer> {
    const user = serverUser('postgres');
    const dir = serverDir('nest-cluster-pgbouncer-', user);
    const port = await freePort();
    const ini = join(dir, 'pgbouncer.ini');
    writeFileSync(
      ini,
      [
        '[databases]',
        `postgres = host=127.0.0.1 port=${server.port} dbname=postgres user=postgres`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = any',
        'pool_mode = transaction',
        'max_client_conn = 200',
        'default_pool_size = 5',
        `logfile = ${join(dir, 'pgbouncer.log')}`,
        '',
      ].join('\n'),
    );
    const bouncer = new PgBouncer(port, new ServerProcess(PgBouncer.binary, [ini], user), dir);
    await bouncer.process.start(() => answers(bouncer.url), `pgbouncer on port ${port}`);
    return bouncer;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async dispose(): Promise<void> {
    await this.process.signal('SIGINT');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Whether a fresh connection to `url` runs one statement. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
