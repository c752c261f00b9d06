// The launcher behind `npm start` (scripts/launch.mjs), in the migration case: Kamailio still holds the HEP
// port 9060. Every port is tried before anything starts; the one in use is named with the process holding
// it, and the launcher stops cleanly (no Kafka started, no app left). Its settings come from a .env in the
// working directory, as for the apps and the CLI, and the real environment wins over it.
// Needs 9060 free on this machine (an `npm start` left running would hold it).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpUdpPort } from './support/apps';
import { startKamailio, type Kamailio } from './support/kamailio';

const LAUNCHER = join(__dirname, '..', 'scripts/launch.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'sipcap-launch-'));
let kamailio: Kamailio | undefined;
let freePort = 0;
/** The .env lines every case shares (set once the ports are known). */
let env: string[] = [];

beforeAll(async () => {
  const free = await new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(9060, '0.0.0.0', () => s.close(() => resolve(true)));
  });
  if (!free) throw new Error('UDP port 9060 is in use on this machine; this test needs it free (is an npm start running?)');
  kamailio = await startKamailio(
    '#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\ntcp_children=1\nlisten=udp:0.0.0.0:9060\nlisten=tcp:0.0.0.0:9060\nrequest_route { exit; }\n',
    'launcher',
  );
  freePort = await freeTcpUdpPort();
  // The metrics ports on free ones, so only the HEP port can be in the way; a Kafka nobody runs.
  const metrics = await Promise.all([0, 1, 2, 3].map(() => freeTcpUdpPort()));
  env = [
    `METRICS_PORT_HEP_AGENT=${metrics[0]}`,
    `METRICS_PORT_DB_WRITER=${metrics[1]}`,
    `METRICS_PORT_WEB=${metrics[2]}`,
    `METRICS_PORT_STATS=${metrics[3]}`,
    'WEB_LISTEN=127.0.0.1:0',
    'KAFKA_BROKERS=192.0.2.1:9092',
  ];
}, 60_000);

afterAll(async () => {
  await kamailio?.stop();
  rmSync(cwd, { recursive: true, force: true });
});

function launch(dotEnv: string[], real: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  writeFileSync(join(cwd, '.env'), [...env, ...dotEnv].join('\n') + '\n');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LAUNCHER],
      { cwd, env: { PATH: process.env.PATH ?? '', ...real }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('npm start with Kamailio still on 9060', () => {
  it('names kamailio as the holder of 9060 (HEP_LISTEN), starts nothing, exits 1', async () => {
    const r = await launch([]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/port 9060\/udp on 0\.0\.0\.0 \(HEP_LISTEN\) in use by kamailio \(pid \d+\)/);
    expect(r.out).toMatch(/port 9060\/tcp on 0\.0\.0\.0 \(HEP_LISTEN\) in use by kamailio \(pid \d+\)/);
    expect(r.out).toContain('nothing was started');
    expect(r.out).not.toContain('Kafka:');
    expect(r.out).not.toContain('db init');
    expect(r.out.trim().split('\n')).toHaveLength(3); // two ports, one line of advice: no trace of a start
  }, 90_000);

  it('reads HEP_LISTEN and KAFKA_BROKERS from .env: another port passes the check, the Kafka it names is asked', async () => {
    const r = await launch([`HEP_LISTEN=127.0.0.1:${freePort}`]);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('in use by');
    expect(r.out).toContain('Kafka at 192.0.2.1:9092 does not answer; start it or fix KAFKA_BROKERS');
  }, 90_000);

  it('the real environment wins over .env', async () => {
    const r = await launch([`HEP_LISTEN=127.0.0.1:${freePort}`], { HEP_LISTEN: '0.0.0.0:9060' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/port 9060\/udp on 0\.0\.0\.0 \(HEP_LISTEN\) in use by kamailio/);
  }, 90_000);
});
