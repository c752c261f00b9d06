// `npm start` from nothing: the launcher (scripts/launch.mjs, what npm start hands over to after the setup)
// with a Kafka of its own whose storage does not exist yet. It must start that Kafka, create the database,
// tables and topics on it, reach "running" on the first try (a fresh topic's partitions have no leader
// for a moment), store a replayed sample, and on Ctrl-C stop the apps and the Kafka it started.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpUdpPort } from './support/apps';
import { waitFor } from './support/kafka';

const ROOT = join(__dirname, '..');
const KAFKA_PORT = 19592;
const id = randomBytes(4).toString('hex');
const db = `sipcap_npm_start_${id}`;
const cwd = mkdtempSync(join(tmpdir(), 'sipcap-npm-start-'));
const kafkaEnv = { KAFKA_INSTANCE: 'test-npm-start', KAFKA_PORT: String(KAFKA_PORT), KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1) };
const kafkaSh = (cmd: string) =>
  execFileSync('bash', [join(ROOT, 'scripts/kafka.sh'), cmd], { env: { ...process.env, ...kafkaEnv }, stdio: 'pipe' });
const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

let launcher: ChildProcess | undefined;
let out = '';
let env: Record<string, string> = {};

beforeAll(async () => {
  kafkaSh('stop');
  kafkaSh('reset'); // no storage: the first start formats it
  const [hep, web, m1, m2, m3, m4] = await Promise.all([0, 1, 2, 3, 4, 5].map(() => freeTcpUdpPort()));
  env = {
    PATH: process.env.PATH ?? '',
    ...kafkaEnv,
    KAFKA_BROKERS: `127.0.0.1:${KAFKA_PORT}`,
    DB_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
    CAPTURE_FLAG_KEY: `test_npm_start_${id}`,
    HEP_LISTEN: `127.0.0.1:${hep}`,
    WEB_LISTEN: `127.0.0.1:${web}`,
    METRICS_PORT_HEP_AGENT: String(m1),
    METRICS_PORT_DB_WRITER: String(m2),
    METRICS_PORT_WEB: String(m3),
    METRICS_PORT_STATS: String(m4),
    LOG_FORMAT: 'json',
  };
}, 60_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) launcher.kill('SIGKILL');
  kafkaSh('stop');
  kafkaSh('reset');
  rmSync(cwd, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  await c.end();
}, 120_000);

describe('npm start on a fresh machine', () => {
  it('reaches "running" the first time with a Kafka whose storage is new, stores a replayed sample, stops everything on Ctrl-C', async () => {
    expect(await answers(KAFKA_PORT)).toBe(false);
    launcher = spawn(process.execPath, [join(ROOT, 'scripts/launch.mjs')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      '"running" from the launcher',
      () => {
        if (launcher!.exitCode !== null) throw new Error(`the launcher exited:\n${out.slice(-4000)}`);
        return /\[sipcap\] running(:|, but)/.test(out) ? true : undefined;
      },
      240_000,
      250,
    );
    expect(out, out.slice(-4000)).toContain('[sipcap] running:'); // every app ready, none "NOT READY"
    expect(out).toContain(`[sipcap] Kafka: started at 127.0.0.1:${KAFKA_PORT}`);
    expect(out).not.toContain('This server does not host this topic-partition');

    const cli = (...args: string[]) =>
      new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [join(ROOT, 'dist/apps/cli/main.js'), ...args], { cwd, env }, (e, stdout, stderr) =>
          e ? reject(new Error(`${args.join(' ')}: ${stderr}`)) : resolve(stdout),
        ),
      );
    await cli('capture', 'on');
    const sent = await cli('replay', join(ROOT, 'samples/sample-calls.pcap'), '--to', env.HEP_LISTEN, '--now', '--rate', '0');
    expect(sent).toContain('sent 20 SIP messages');
    const rows = await waitFor(
      '20 rows in sip_capture',
      async () => {
        const c = new pg.Client({ connectionString: env.DB_URL });
        await c.connect();
        try {
          const n = Number((await c.query('SELECT count(*) AS n FROM sip_capture')).rows[0].n);
          return n >= 20 ? n : undefined;
        } finally {
          await c.end();
        }
      },
      60_000,
      500,
    );
    expect(rows).toBe(20);

    launcher.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => launcher!.once('exit', (c) => resolve(c)));
    expect(code, out.slice(-3000)).toBe(0);
    expect(out).toContain('[sipcap] stopped');
    expect(await answers(KAFKA_PORT)).toBe(false); // the Kafka it started is stopped with it
  }, 420_000);
});
