import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { sleep } from './apps';

const run = promisify(execFile);

/**
 * A throw-away MariaDB server (mariadb-install-db + mariadbd) whose whole data directory lies in `dir`
 * (e.g. a small tmpfs), on its own port and socket, for tests that fill its disk: the shared server is
 * never touched. No grant tables (root, no password); runs as the current user (--user=root as root).
 */
export class PrivateMariadb {
  readonly data: string;
  readonly errorLog: string;
  private readonly logDir: string;
  private child?: ChildProcess;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly extraArgs: string[] = [],
  ) {
    this.data = join(dir, 'data');
    // The log lives off the volume (it must tell what happened when that volume is full).
    this.logDir = mkdtempSync(join(tmpdir(), 'sipcap-mariadb-log-'));
    this.errorLog = join(this.logDir, 'error.log');
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}`;
  }

  private get args(): string[] {
    // A small redo log: the default (96 MiB) would take most of a small test volume.
    return ['--no-defaults', `--datadir=${this.data}`, '--user=root', '--innodb-log-file-size=8M', ...this.extraArgs];
  }

  async init(): Promise<void> {
    mkdirSync(this.data, { recursive: true });
    await run('mariadb-install-db', [...this.args, '--auth-root-authentication-method=normal', '--skip-test-db']);
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    this.child = spawn(
      '/usr/sbin/mariadbd',
      [
        ...this.args,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${join(this.dir, 'mysqld.pid')}`,
        `--log-error=${this.errorLog}`,
        '--local-infile=1',
        '--skip-name-resolve',
        '--skip-grant-tables',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 120; i++) {
      if (this.child.exitCode !== null) throw new Error(`mariadbd exited (${this.child.exitCode}):\n${this.log()}`);
      try {
        const c = await mysql.createConnection({ uri: this.url });
        await c.end();
        return;
      } catch {
        await sleep(250);
      }
    }
    throw new Error(`mariadbd did not accept connections:\n${this.log()}`);
  }

  /** Whether the server process started by start() still runs (it never restarted or aborted). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The server's error log. */
  log(): string {
    try {
      return readFileSync(this.errorLog, 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server (SIGTERM, a clean shutdown; SIGKILL after 30 s). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the server and removes its log (the data directory is the caller's: e.g. a tmpfs it unmounts). */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.logDir, { recursive: true, force: true });
  }
}
