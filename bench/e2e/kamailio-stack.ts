import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Connection } from 'mysql2/promise';
import { pidsByComm } from './cpu';
import { socketDrops } from './udp-stats';

const MARIADB = { host: '127.0.0.1', port: 3306, user: 'root' };

/** Installs Debian's kamailio and kamailio-mysql-modules when they are missing (idempotent). */
export function ensureKamailio(log: (s: string) => void): string {
  const installed = () => {
    try {
      return execFileSync('dpkg-query', ['-W', '-f=${Status}\n', 'kamailio', 'kamailio-mysql-modules'], { stdio: 'pipe' })
        .toString()
        .split('\n')
        .filter(Boolean)
        .every((l) => l.endsWith(' installed'));
    } catch {
      return false;
    }
  };
  if (!installed()) {
    log('installing kamailio and kamailio-mysql-modules from Debian (apt-get)');
    const apt = (args: string[]) =>
      execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
        stdio: 'pipe',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    try {
      apt(['install', '-y', '--no-install-recommends', 'kamailio', 'kamailio-mysql-modules']);
    } catch {
      apt(['update']);
      apt(['install', '-y', '--no-install-recommends', 'kamailio', 'kamailio-mysql-modules']);
    }
    // The package's service is not ours: make sure it does not hold a port or write to the database.
    try {
      execFileSync('systemctl', ['stop', 'kamailio'], { stdio: 'ignore' });
    } catch {
      // no systemd here, or not running
    }
  }
  return execFileSync('kamailio', ['-v'], { stdio: 'pipe' }).toString().split('\n')[0].trim();
}

/** The sip_capture table of the project's MySQL schema (Homer 5's columns and indexes). */
function sipCaptureDdl(): string {
  const sql = readFileSync('sql/mysql/sip_capture.sql', 'utf8');
  const start = sql.indexOf('CREATE TABLE IF NOT EXISTS `sip_capture`');
  return sql.slice(start, sql.indexOf(';', start) + 1);
}

function kamailioCfg(port: number, dbUrl: string, children: number): string {
  return `#!KAMAILIO
# Written by bench/e2e: Kamailio's sipcapture module as a HEP capture node, as in its documentation.
debug=1
log_stderror=yes
fork=yes
children=${children}
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:${port}
# The same kernel receive buffer as sipcap's hep-agent gets (HEP_UDP_RCVBUF, 64 MiB).
maxbuffer=67108864

loadmodule "pv.so"
loadmodule "db_mysql.so"
loadmodule "sipcapture.so"

modparam("sipcapture", "db_url", "${dbUrl}")
modparam("sipcapture", "capture_on", 1)
modparam("sipcapture", "hep_capture_on", 1)
modparam("sipcapture", "capture_node", "homer01")

request_route {
  sip_capture();
  drop;
}

onreply_route {
  sip_capture();
  drop;
}
`;
}

export interface KamailioCounts {
  rows: number;
  distinct: number;
  insertErrors: number;
}

/** Kamailio with sipcapture, HEP on UDP into a fresh MariaDB database, run in the foreground by the bench. */
export class KamailioStack {
  private proc!: ChildProcess;
  private out = '';
  private dir = '';
  private db!: Connection;
  readonly database: string;

  constructor(
    readonly id: string,
    readonly opts: { port: number; children: number },
  ) {
    this.database = `bench_e2e_kam_${id.replace(/[^a-z0-9]/gi, '_')}`;
  }

  async start(): Promise<void> {
    const admin = await createConnection({ ...MARIADB, multipleStatements: true });
    await admin.query(`DROP DATABASE IF EXISTS \`${this.database}\`; CREATE DATABASE \`${this.database}\` CHARACTER SET utf8mb4`);
    await admin.end();
    this.db = await createConnection({ ...MARIADB, database: this.database });
    await this.db.query(sipCaptureDdl());
    this.dir = mkdtempSync(join(tmpdir(), 'sipcap-e2e-kamailio-'));
    const cfg = join(this.dir, 'kamailio.cfg');
    writeFileSync(cfg, kamailioCfg(this.opts.port, `mysql://root@127.0.0.1:3306/${this.database}`, this.opts.children));
    // -DD: stay in the foreground (children are still forked); -E: log to stderr.
    this.proc = spawn('kamailio', ['-f', cfg, '-DD', '-E', '-m', '256', '-M', '16', '-P', join(this.dir, 'kamailio.pid')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.out += d.toString();
      if (this.out.length > 2_000_000) this.out = this.out.slice(-1_000_000);
    };
    this.proc.stdout!.on('data', keep);
    this.proc.stderr!.on('data', keep);
    const deadline = Date.now() + 20_000;
    // Ready when the socket is bound and the children have connected to the database.
    while (socketDrops(this.opts.port).sockets === 0 || pidsByComm('kamailio').length < this.opts.children + 1) {
      if (this.proc.exitCode !== null) throw new Error(`kamailio exited at start:\n${this.out.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`kamailio did not bind 127.0.0.1:${this.opts.port}:\n${this.out.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1000));
  }

  /** Rows stored so far (the auto-increment id: cheap, unlike count(*) on InnoDB). */
  async progress(): Promise<number> {
    const [rows] = await this.db.query('SELECT coalesce(max(id), 0) AS n FROM sip_capture');
    return Number((rows as { n: number }[])[0].n);
  }

  /** Bytes still waiting in the socket: Kamailio's only queue. */
  async pending(): Promise<number> {
    return socketDrops(this.opts.port).queuedBytes;
  }

  async counts(): Promise<KamailioCounts> {
    const [rows] = await this.db.query('SELECT count(*) AS n, count(DISTINCT callid, cseq, method) AS d FROM sip_capture');
    const r = (rows as { n: number; d: number }[])[0];
    const insertErrors = (this.out.match(/ERROR: .*(db_mysql|sipcapture)/g) ?? []).length;
    return { rows: Number(r.n), distinct: Number(r.d), insertErrors };
  }

  pids(): number[] {
    return pidsByComm('kamailio');
  }

  get log(): string {
    return this.out;
  }

  async stop(opts: { keep?: boolean } = {}): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    await this.db?.end().catch(() => undefined);
    if (!opts.keep) {
      const admin = await createConnection(MARIADB);
      await admin.query(`DROP DATABASE IF EXISTS \`${this.database}\``).catch(() => undefined);
      await admin.end();
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
