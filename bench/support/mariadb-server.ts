import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './ports.js';
import { ServerProcess } from './server-process.js';
import { serverDir, serverUser } from './server-user.js';

export const MARIADBD = '/usr/sbin/mariadbd';
export const hasMariadb = existsSync(MARIADBD) && existsSync('/usr/bin/mariadb-install-db');

/**
 * A MariaDB of this test's own: `mariadb-install-db` in a temp dir, then `mariadbd` on a free
 * 127.0.0.1 port with its socket in the temp dir, run as the mysql user when the tests run as root,
 * without grant tables (no passwords to manage). Stopped by PID, never by name.
 */
export class MariadbServer {
  private readonly process: ServerProcess;

  private constructor(
    readonly port: number,
    readonly dir: string,
    user: { uid: number; gid: number } | undefined,
  ) {
    const args = [
      '--no-defaults',
      `--datadir=${join(dir, 'data')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      '--skip-grant-tables',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=2',
    ];
    this.process = new ServerProcess(MARIADBD, args, user);
  }

  static async start(): Promise<MariadbServer> {
    const user = serverUser('mysql');
    const dir = serverDir('nest-cluster-mariadb-', user);
    const init = spawnSync(
      '/usr/bin/mariadb-install-db',
      ['--no-defaults', `--datadir=${join(dir, 'data')}`, '--skip-test-db', '--auth-root-authentication-method=normal'],
      { encoding: 'utf8', uid: user?.uid, gid: user?.gid, timeout: 120_000 },
    );
    if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stdout}${init.stderr}`);
    const server = new MariadbServer(await freePort(), dir, user);
    await server.launch();
    await server.query('CREATE DATABASE IF NOT EXISTS nest_cluster');
    return server;
  }

  get uri(): string {
    return `mysql://root@127.0.0.1:${this.port}/nest_cluster`;
  }

  /** One statement over a fresh connection of its own. */
  async query(sql: string, values?: unknown[]): Promise<unknown> {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 2000 });
    try {
      const [rows] = await connection.query(sql, values);
      return rows;
    } finally {
      await connection.end();
    }
  }

  private launch(): Promise<void> {
    return this.process.start(() => this.query('SELECT 1').then(() => true, () => false), `mariadbd on port ${this.port}`);
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

  /** SIGSTOP (or SIGCONT): one process, every connection thread stops answering, sockets stay open. */
  freeze(frozen: boolean): void {
    try {
      if (this.process.pid !== undefined) process.kill(this.process.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      // not running
    }
  }

  async dispose(): Promise<void> {
    this.freeze(false);
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
