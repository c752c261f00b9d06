// The stats app on calls made by an independent SIP implementation: SIPp (Debian's sip-tester) places
// calls with its built-in uac and uas scenarios on the loopback, tcpdump records them, `sipcap replay`
// sends the capture through a running hep-agent and Kafka to a running stats instance: requests per
// method equal tshark's count of the capture, the calls SIPp completed are answered calls, one SRD,
// setup time and duration each, the durations at least SIPp's pause.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { BROKERS, freshTopic, uniqueName, waitFor } from './support/kafka';

const CALLS = 10;
const PAUSE_MS = 500;
const processes: AgentProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'sipcap-stats-sipp-'));

beforeAll(() => {
  for (const app of ['hep-agent', 'stats', 'cli']) buildApp(app);
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const run = (cmd: string, args: string[], timeout = 60_000) =>
  new Promise<{ code: number; out: string }>((resolve) =>
    execFile(cmd, args, { timeout, cwd: tmp }, (e, out, err) =>
      resolve({ code: e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : -1) : 0, out: out + err }),
    ),
  );

describe('stats on SIPp calls', () => {
  it('counts what tshark counts and answers every call SIPp completed', async () => {
    const [uacPort, uasPort] = [await freeTcpUdpPort(), await freeTcpUdpPort()];
    const pcap = join(tmp, 'sipp.pcap');
    const tcpdump = spawn('tcpdump', ['-i', 'lo', '-U', '-w', pcap, `udp and (port ${uacPort} or port ${uasPort})`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let dumpErr = '';
    tcpdump.stderr!.on('data', (d: Buffer) => (dumpErr += d.toString()));
    await waitFor('tcpdump listening', () => (dumpErr.includes('listening on') ? true : undefined), 10_000, 50);

    const uas = spawn(
      'sipp',
      ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(uasPort), '-m', String(CALLS), '-nostdin', '-timeout', '60s'],
      { cwd: tmp, stdio: 'ignore' },
    );
    const uasDone = new Promise<number | null>((r) => uas.once('exit', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 300));
    const uac = await run('sipp', [
      '-sn',
      'uac',
      `127.0.0.1:${uasPort}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(uacPort),
      '-m',
      String(CALLS),
      '-r',
      '10',
      '-d',
      String(PAUSE_MS),
      '-nostdin',
      '-timeout',
      '60s',
    ]);
    expect(uac.code, uac.out).toBe(0); // SIPp's verdict: every call completed
    expect(await uasDone).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    tcpdump.kill('SIGINT');
    await new Promise((r) => tcpdump.once('exit', r));

    const requests: Record<string, number> = {};
    let messages = 0;
    const fields = execFileSync('tshark', ['-r', pcap, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Method', '-e', 'sip.Status-Code'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const line of fields.split('\n').filter((l) => l !== '')) {
      messages++;
      const [method] = line.split('\t');
      if (method) requests[method] = (requests[method] ?? 0) + 1;
    }
    expect(requests).toEqual({ INVITE: CALLS, ACK: CALLS, BYE: CALLS });
    expect(messages).toBe(6 * CALLS); // and 180, 200 and the BYE's 200 each

    const topic = await freshTopic(3, 'stats-sipp');
    const hepPort = await freeTcpUdpPort();
    const kafkaEnv = { KAFKA_BROKERS: BROKERS.join(','), KAFKA_TOPIC: topic, KAFKA_PARTITIONS: '3' };
    const agent = startAgent('hep-agent', {
      ...kafkaEnv,
      HEP_LISTEN: `127.0.0.1:${hepPort}`,
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('sipp-flag'),
    });
    const stats = startAgent('stats', { ...kafkaEnv, KAFKA_GROUP_ID: uniqueName('stats-sipp'), STATS_PEERS: `uas=127.0.0.1` });
    processes.push(agent, stats);
    await agent.waitForLog('hep-agent ready', 60_000);
    await stats.waitForLog('stats consuming', 60_000);
    const replay = await run(process.execPath, [
      join(process.cwd(), 'dist/apps/cli/main.js'),
      'replay',
      pcap,
      '--to',
      `127.0.0.1:${hepPort}`,
    ]);
    expect(replay.code, replay.out).toBe(0);
    await waitFor(
      `${messages} records read by stats`,
      async () => ((await stats.metric('sipcap_stats_records_total', '{kind="sip"}')) >= messages ? true : undefined),
      30_000,
      200,
    );

    for (const [method, n] of Object.entries(requests)) {
      expect(
        (await stats.metric('sipcap_sip_requests_total', `{method="${method}"}`)) +
          (await stats.metric('sipcap_sip_retransmissions_total', `{method="${method}",type="request"}`).catch(() => 0)),
        method,
      ).toBe(n);
    }
    expect(await stats.metric('sipcap_calls_total', '{outcome="answered"}')).toBe(CALLS);
    expect(await stats.metric('sipcap_calls_active')).toBe(0);
    for (const h of ['sipcap_sip_srd_seconds', 'sipcap_call_setup_seconds', 'sipcap_call_duration_seconds'])
      expect(await stats.metric(`${h}_count`), h).toBe(CALLS);
    const durations = await stats.metric('sipcap_call_duration_seconds_sum');
    expect(durations).toBeGreaterThanOrEqual((CALLS * PAUSE_MS) / 1000);
    expect(durations).toBeLessThan((CALLS * (PAUSE_MS + 1000)) / 1000);
    expect(await stats.metric('sipcap_stats_unexpected_total', '{reason="response_without_request"}')).toBe(0);
    expect(await stats.metric('sipcap_stats_unexpected_total', '{reason="bye_without_call"}')).toBe(0);
  });
});
