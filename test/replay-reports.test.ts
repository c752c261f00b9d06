// `sipcap replay` sends more than SIP: a pcap holding a call's SIP (with SDP), the call's RTCP (SR and
// RR on the odd ports, one compound multiplexed on the RTP port), RTCP of no announced call, RTP, and
// HEP packets captured on their way to a collector (UDP to 9060: a HEP3 log line and a HEP2 SIP message
// of another call) is replayed into a running hep-agent; the db-writer stores the RTCP in rtcp_capture
// with the call's Call-ID (decoded as tshark reads the same bytes: checked against the decoder), the
// captured log line in logs_capture and the captured SIP in sip_capture, byte for byte.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep2, encodeHep3 } from '@sipcap/hep';
import { testing, writePcap } from '@sipcap/packet';
import { decodeRtcpToJson } from '@sipcap/rtcp';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, sleep } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { startWriter, TestDb } from './support/writer-fixtures';

const CLI = join(__dirname, '..', 'dist/apps/cli/main.js');
const RUN = uniqueName('replay-rtcp');
const CALL_ID = `${RUN}@10.3.0.1`;
const OTHER = `${RUN}-captured@10.9.0.1`;
const T0 = 1_764_100_000_000_000n; // 2025-11-25 19:46:40 UTC
const ALICE = '10.3.0.1';
const BOB = '10.3.0.2';

const sdp = (ip: string, port: number) =>
  ['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, ''].join('\r\n');
function sip(start: string, body: string): Buffer {
  return Buffer.from(
    [
      start,
      `Via: SIP/2.0/UDP ${ALICE}:5060;branch=z9hG4bK-${RUN}`,
      `From: <sip:alice@${ALICE}>;tag=1`,
      `To: <sip:bob@${BOB}>`,
      `Call-ID: ${CALL_ID}`,
      'CSeq: 1 INVITE',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

const procs: AgentProcess[] = [];
const dbs: TestDb[] = [];
let dir = '';

beforeAll(() => {
  buildApp('hep-agent');
  buildApp('db-writer');
  buildApp('cli');
  dir = mkdtempSync(join(tmpdir(), 'sipcap-replay-rtcp-'));
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  for (const db of dbs) await db.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('sipcap replay: RTCP and captured HEP', () => {
  it("sends the call's RTCP as HEP type 5 with its Call-ID and captured HEP as it is; hep-agent and db-writer store them", async () => {
    const rtcpSr = RTCP_FIXTURES.srSdes;
    const rtcpRr = RTCP_FIXTURES.gstreamerRr;
    const capturedLog = encodeHep3({
      srcIp: '10.9.0.1',
      dstIp: '10.9.0.2',
      srcPort: 1,
      dstPort: 2,
      tsSec: 1_764_100_001,
      tsUsec: 5,
      captureId: 77,
      payloadType: 100,
      correlationId: CALL_ID,
      payload: Buffer.from(`captured log line of ${RUN}`),
    });
    const capturedSip = encodeHep2({
      srcIp: '10.9.0.1',
      dstIp: '10.9.0.2',
      srcPort: 5060,
      dstPort: 5062,
      tsSec: 1_764_100_002,
      tsUsec: 6,
      captureId: 78,
      payload: Buffer.from(
        `OPTIONS sip:x@10.9.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 10.9.0.1:5060;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:x@y>\r\nCall-ID: ${OTHER}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      ),
    });
    const udp = (src: string, srcPort: number, dst: string, dstPort: number, payload: Buffer) =>
      testing.ethernetFrame({ payload: testing.udpPacket({ src, dst, srcPort, dstPort, payload }), pad: true });
    const frames = [
      udp(ALICE, 5060, BOB, 5060, sip('INVITE sip:bob@10.3.0.2 SIP/2.0', sdp(ALICE, 20000))),
      udp(BOB, 5060, ALICE, 5060, sip('SIP/2.0 200 OK', sdp(BOB, 30000))),
      udp(ALICE, 20000, BOB, 30000, Buffer.from('8000000100000000deadbeef00000000', 'hex')), // RTP: skipped
      udp(ALICE, 20001, BOB, 30001, rtcpSr),
      udp(BOB, 30000, ALICE, 20000, rtcpRr), // multiplexed on the RTP port (RFC 5761)
      udp('10.7.0.1', 40001, '10.7.0.2', 50001, rtcpSr), // no call announced these addresses
      udp('10.8.0.1', 45000, '10.8.0.2', 9060, capturedLog),
      udp('10.8.0.1', 45000, '10.8.0.2', 9060, capturedSip),
    ];
    const pcap = join(dir, 'call.pcap');
    writeFileSync(pcap, writePcap(frames.map((frame, i) => ({ tsMicros: T0 + BigInt(i) * 100_000n, frame }))));

    const topic = await freshTopic(2, 'replay-rtcp');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '2',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('replay-rtcp-flag'),
    });
    procs.push(agent);
    const db = await new TestDb('postgres').create();
    dbs.push(db);
    const writer = startWriter(db, topic, uniqueName('g-replay-rtcp'));
    procs.push(writer);
    await agent.waitForLog('hep-agent ready', 60_000);
    await writer.waitForLog('db-writer consuming', 60_000);

    const r = await run(['replay', pcap, '--to', `127.0.0.1:${port}`, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      messages: 6,
      sip: 2,
      rtcp: 2,
      hepAsCaptured: 2,
      skipped: { notSip: 1, rtcpUnmatched: 1, rtcpNeedsHep3: 0 },
    });

    const q = (sql: string) => db.query<Record<string, unknown>>(sql).catch(() => []);
    const rtcp = await waitFor(
      '2 rows in rtcp_capture',
      async () => {
        const rows = await q(
          'SELECT micro_ts, correlation_id, source_ip, source_port, destination_ip, destination_port, type, msg FROM rtcp_capture ORDER BY micro_ts',
        );
        return rows.length >= 2 ? rows : undefined;
      },
      60_000,
      250,
    );
    const logs = await waitFor(
      'a row in logs_capture',
      async () => {
        const rows = await q('SELECT micro_ts, correlation_id, node, msg FROM logs_capture');
        return rows.length >= 1 ? rows : undefined;
      },
      30_000,
      250,
    );
    const other = await waitFor(
      'the captured SIP in sip_capture',
      async () => {
        const rows = await q(`SELECT micro_ts, node, msg FROM sip_capture WHERE callid = '${OTHER}'`);
        return rows.length >= 1 ? rows : undefined;
      },
      30_000,
      250,
    );
    await sleep(500);
    const json = (b: Buffer) => {
      const d = decodeRtcpToJson(b);
      if (!d.ok) throw new Error('fixture');
      return d.text;
    };
    expect((await q('SELECT count(*) AS n FROM rtcp_capture'))[0].n).toBe('2');
    expect(rtcp.map((x) => ({ ...x, micro_ts: String(x.micro_ts) }))).toEqual([
      {
        micro_ts: String(T0 + 300_000n),
        correlation_id: CALL_ID,
        source_ip: ALICE,
        source_port: 20001,
        destination_ip: BOB,
        destination_port: 30001,
        type: 3,
        msg: json(rtcpSr),
      },
      {
        micro_ts: String(T0 + 400_000n),
        correlation_id: CALL_ID,
        source_ip: BOB,
        source_port: 30000,
        destination_ip: ALICE,
        destination_port: 20000,
        type: 3,
        msg: json(rtcpRr),
      },
    ]);
    // Re-sent as captured: the HEP packet's own time and capture id, not the pcap record's.
    expect(logs.map((x) => [String(x.micro_ts), x.correlation_id, String(x.node).endsWith(':77'), x.msg])).toEqual([
      ['1764100001000005', CALL_ID, true, `captured log line of ${RUN}`],
    ]);
    expect(other.map((x) => [String(x.micro_ts), String(x.node).endsWith(':78')])).toEqual([['1764100002000006', true]]);
    const callSip = await q(`SELECT count(*) AS n FROM sip_capture WHERE callid = '${CALL_ID}'`);
    expect(callSip[0].n).toBe('2');
  });

  it('with --sip-only or --hep 2, sends no RTCP and says why', async () => {
    const port = await freeTcpUdpPort();
    const sock = (await import('node:dgram')).createSocket('udp4');
    await new Promise<void>((ok) => sock.bind(port, '127.0.0.1', ok));
    try {
      const pcap = join(dir, 'call.pcap');
      const sipOnly = JSON.parse((await run(['replay', pcap, '--to', `127.0.0.1:${port}`, '--json', '--sip-only'])).stdout);
      expect(sipOnly).toMatchObject({ messages: 2, rtcp: 0, hepAsCaptured: 0, skipped: { notSip: 6 } });
      const v2 = await run(['replay', pcap, '--to', `127.0.0.1:${port}`, '--hep', '2']);
      expect(v2.stdout).toMatch(/^sent 2 SIP messages, 2 HEP packets as captured \(\d+ bytes of HEP2\) .*2 RTCP needing --hep 3/);
    } finally {
      sock.close();
    }
  });
});
