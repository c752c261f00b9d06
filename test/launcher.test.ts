// The launcher behind `npm start` (scripts/launch.mjs), in the migration case: Kamailio still holds the HEP
// port. Every port is tried before anything starts; the one in use is named with the process holding it,
// and the launcher stops cleanly (no Kafka started, no app left). Its settings come from a .env in the
// working directory, as for the apps and the CLI.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeTcpUdpPort } from './support/apps';
import { startKamailio, type Kamailio } from './support/kamailio';

const LAUNCHER = join(__dirname, '..', 'scripts/launch.mjs');
const dirs: string[] = [];
let kamailio: Kamailio | undefined;
afterAll(async () => {
  await kamailio?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function launch(cwd: string, env: Record<string, string> = {}): Promise<{ code: number; out: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr, ms: Date.now() - t0 }),
    );
  });
}

describe('npm start with the HEP port taken', () => {
  it('names Kamailio as the holder of HEP_LISTEN (from .env), starts nothing, exits 1', async () => {
    const port = await freeTcpUdpPort();
    kamailio = await startKamailio(
      `#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\ntcp_children=1\nlisten=udp:127.0.0.1:${port}\nlisten=tcp:127.0.0.1:${port}\nrequest_route { exit; }\n`,
      'launcher',
    );
    const cwd = mkdtempSync(join(tmpdir(), 'sipcap-launch-'));
    dirs.push(cwd);
    // The metrics ports on free ones, so only the HEP port is in the way; a Kafka nobody runs, to show none is started.
    const metrics = await Promise.all([0, 1, 2, 3].map(() => freeTcpUdpPort()));
    writeFileSync(
      join(cwd, '.env'),
      [
        `HEP_LISTEN=127.0.0.1:${port}`,
        `METRICS_PORT_HEP_AGENT=${metrics[0]}`,
        `METRICS_PORT_DB_WRITER=${metrics[1]}`,
        `METRICS_PORT_WEB=${metrics[2]}`,
        `METRICS_PORT_STATS=${metrics[3]}`,
        'WEB_LISTEN=127.0.0.1:0',
        'KAFKA_BROKERS=127.0.0.1:9',
      ].join('\n') + '\n',
    );
    const r = await launch(cwd);
    expect(r.code).toBe(1);
    // Kamailio's main process or one of its workers holds the socket: the name says kamailio either way.
    expect(r.out).toMatch(new RegExp(`port ${port}/udp on 127\\.0\\.0\\.1 \\(HEP_LISTEN\\) in use by kamailio \\(pid \\d+\\)`));
    expect(r.out).toMatch(new RegExp(`port ${port}/tcp on 127\\.0\\.0\\.1 \\(HEP_LISTEN\\) in use by kamailio \\(pid \\d+\\)`));
    expect(r.out).toContain('nothing was started');
    expect(r.out).not.toContain('Kafka:');
    expect(r.out).not.toContain('db init');
    expect(r.out.trim().split('\n')).toHaveLength(3); // two ports, one line of advice: no trace of a start
  }, 90_000);

  it('the real environment wins over .env: with HEP_LISTEN moved to a free port, the port check passes', async () => {
    const cwd = dirs[0];
    const free = await freeTcpUdpPort();
    // Kafka at a port nothing answers on a remote-looking address: the launcher stops there, after the port check.
    const r = await launch(cwd, { HEP_LISTEN: `127.0.0.1:${free}`, KAFKA_BROKERS: '192.0.2.1:9092' });
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('in use by');
    expect(r.out).toContain('Kafka at 192.0.2.1:9092 does not answer; start it or fix KAFKA_BROKERS');
  }, 90_000);
});
