import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A throw-away PostgreSQL server (initdb + pg_ctl into a temporary folder, trust auth, 127.0.0.1 only)
 * for tests that stop the database: the shared server is never touched. As root, the server runs as
 * the postgres user (PostgreSQL refuses to run as root).
 */
export class PrivatePostgres {
  readonly dir: string;
  private readonly data: string;
  private started = false;

  /** `extraOptions`: more `-c name=value` server options (e.g. ssl=on and its files). */
  constructor(
    readonly port: number,
    public extraOptions = '',
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'sipcap-pg-'));
    this.data = join(this.dir, 'data');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private asPostgres(cmd: string, args: string[]) {
    const file = join(BIN, cmd);
    return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
  }

  async init(): Promise<void> {
    if (process.getuid?.() === 0) {
      const pw = await run('id', ['-u', 'postgres']);
      const gid = await run('id', ['-g', 'postgres']);
      chownSync(this.dir, Number(pw.stdout), Number(gid.stdout));
    }
    await this.asPostgres('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    // fsync off: only an OS crash could lose data then, and this server lives for one test.
    // synchronous_commit stays on: a commit the client saw must survive the immediate stop below.
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c full_page_writes=off -c max_connections=40 ${this.extraOptions}`;
    await this.asPostgres('pg_ctl', ['-D', this.data, '-o', opts, '-l', join(this.dir, 'server.log'), '-w', '-t', '60', 'start']);
    this.started = true;
  }

  /** `immediate`: the server dies at once, like a crash (recovery at the next start); `fast`: clean. */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await this.asPostgres('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
    this.started = false;
  }

  /** Stops the server if it runs and removes its folder. */
  async destroy(): Promise<void> {
    if (this.started) await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
