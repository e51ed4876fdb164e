import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';
import { ServerProcess, type ServerPlacement } from './server-process.js';
import { serverDir, serverUser } from './server-user.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const hasPostgres = existsSync(join(PG_BIN, 'postgres'));

/**
 * A PostgreSQL 15 of this test's own: `initdb` in a temp dir, then the `postgres` server itself
 * (not pg_ctl, so the test holds its PID) on a free 127.0.0.1 port with its socket in the temp dir.
 * Run as the postgres user when the tests run as root. Stopped by PID, never by name.
 * With a `placement` it runs in that network namespace on its address and port instead, and this
 * class reaches it through its socket (a path in the temp dir, which no namespace hides).
 */
export class PostgresServer {
  private readonly process: ServerProcess;
  readonly host: string;

  private constructor(
    readonly port: number,
    readonly dir: string,
    user: { uid: number; gid: number } | undefined,
    private readonly placement?: ServerPlacement,
  ) {
    this.host = placement?.host ?? '127.0.0.1';
    const args = ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', `listen_addresses=${this.host}`, '-c', 'fsync=off', '-c', 'max_connections=200'];
    this.process = new ServerProcess(join(PG_BIN, 'postgres'), args, user, placement);
  }

  static async start(placement?: ServerPlacement): Promise<PostgresServer> {
    const server = PostgresServer.create(placement?.port ?? (await freePort()), placement);
    try {
      await server.launch();
    } catch (error) {
      server.destroySync(); // a server that never answered leaves no process and no temp dir behind
      throw error;
    }
    return server;
  }

  /**
   * The server initialized (initdb) but not running: `launch()` starts it. Synchronous, so that a
   * caller holds it, and can `destroySync()` it from an exit path, before it is started.
   */
  static create(port: number, placement?: ServerPlacement): PostgresServer {
    const user = serverUser('postgres');
    const dir = serverDir('nest-cluster-pg-', user);
    const init = spawnSync(join(PG_BIN, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      encoding: 'utf8',
      uid: user?.uid,
      gid: user?.gid,
      timeout: 120_000,
    });
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed: ${init.stdout}${init.stderr}`);
    }
    // Placed, it is reached over TCP from the other namespaces of its subnet, which nothing else reaches.
    if (placement) appendFileSync(join(dir, 'data', 'pg_hba.conf'), 'host all all samenet trust\n');
    return new PostgresServer(port, dir, user, placement);
  }

  get url(): string {
    return `postgres://postgres@${this.host}:${this.port}/postgres`;
  }

  /** One statement over a fresh connection of its own (over the socket when placed in a namespace). */
  async query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    const where = this.placement
      ? { host: this.dir, port: this.port, user: 'postgres', database: 'postgres' }
      : { connectionString: this.url };
    const client = new pg.Client({ ...where, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  /** Starts the server and waits until it answers. */
  launch(): Promise<void> {
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
    this.process.freeze(frozen);
  }

  async dispose(): Promise<void> {
    this.freeze(false);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For exit paths that cannot wait: SIGKILL the server and every backend by PID, delete the dir. */
  destroySync(): void {
    this.process.killSync();
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
