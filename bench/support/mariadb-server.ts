import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './ports.js';
import { ServerProcess, type ServerPlacement } from './server-process.js';
import { serverDir, serverUser } from './server-user.js';

export const MARIADBD = '/usr/sbin/mariadbd';
export const hasMariadb = existsSync(MARIADBD) && existsSync('/usr/bin/mariadb-install-db');

/**
 * A MariaDB of this test's own: `mariadb-install-db` in a temp dir, then `mariadbd` on a free
 * 127.0.0.1 port with its socket in the temp dir, run as the mysql user when the tests run as root,
 * without grant tables (no passwords to manage). Stopped by PID, never by name.
 * With a `placement` it runs in that network namespace on its address and port instead (clients
 * there are not looked up in DNS, which such a namespace does not reach), and this class reaches it
 * through its socket (a path in the temp dir, which no namespace hides).
 */
export class MariadbServer {
  private readonly process: ServerProcess;
  readonly host: string;

  private constructor(
    readonly port: number,
    readonly dir: string,
    user: { uid: number; gid: number } | undefined,
    private readonly placement?: ServerPlacement,
  ) {
    this.host = placement?.host ?? '127.0.0.1';
    const args = [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      `--port=${port}`,
      `--bind-address=${this.host}`,
      ...(placement ? ['--skip-name-resolve'] : []),
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-grant-tables',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=2',
    ];
    this.process = new ServerProcess(MARIADBD, args, user, placement);
  }

  static async start(placement?: ServerPlacement): Promise<MariadbServer> {
    const server = MariadbServer.create(placement?.port ?? (await freePort()), placement);
    try {
      await server.launch();
    } catch (error) {
      server.destroySync(); // a server that never answered leaves no process and no temp dir behind
      throw error;
    }
    return server;
  }

  /**
   * The server initialized (mariadb-install-db) but not running: `launch()` starts it. Synchronous,
   * so that a caller holds it, and can `destroySync()` it from an exit path, before it is started.
   */
  static create(port: number, placement?: ServerPlacement): MariadbServer {
    const user = serverUser('mysql');
    const dir = serverDir('nest-cluster-mariadb-', user);
    const init = spawnSync(
      '/usr/bin/mariadb-install-db',
      ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--skip-test-db', '--auth-root-authentication-method=normal'],
      { encoding: 'utf8', uid: user?.uid, gid: user?.gid, timeout: 120_000 },
    );
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`mariadb-install-db failed: ${init.stdout}${init.stderr}`);
    }
    return new MariadbServer(port, dir, user, placement);
  }

  get uri(): string {
    return `mysql://root@${this.host}:${this.port}/nest_cluster`;
  }

  /** One statement over a fresh connection of its own (over the socket when placed in a namespace). */
  async query(sql: string, values?: unknown[]): Promise<unknown> {
    const where = this.placement ? { socketPath: join(this.dir, 'mysqld.sock') } : { host: '127.0.0.1', port: this.port };
    const connection = await mysql.createConnection({ ...where, user: 'root', connectTimeout: 2000 });
    try {
      const [rows] = await connection.query(sql, values);
      return rows;
    } finally {
      await connection.end();
    }
  }

  /** Starts the server, waits until it answers, and makes the database `uri` names (if missing). */
  async launch(): Promise<void> {
    await this.process.start(() => this.query('SELECT 1').then(() => true, () => false), `mariadbd on port ${this.port}`);
    await this.query('CREATE DATABASE IF NOT EXISTS nest_cluster');
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    return this.process.signal(signal);
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** A crash: SIGKILL, InnoDB recovers on restart. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  restart(): Promise<void> {
    return this.launch();
  }

  /** SIGSTOP (or SIGCONT): every connection thread stops answering, sockets stay open. */
  freeze(frozen: boolean): void {
    this.process.freeze(frozen);
  }

  async dispose(): Promise<void> {
    this.freeze(false);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** For exit paths that cannot wait: SIGKILL the server by PID, delete the dir. */
  destroySync(): void {
    this.process.killSync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
