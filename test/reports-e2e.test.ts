// RTCP, QoS reports and logs through the running pipeline: HEP types 5 (binary RTCP and rtpengine-style
// JSON), 32 and 100 sent to a running hep-agent arrive, through running db-writers, in rtcp_capture,
// report_capture and logs_capture of PostgreSQL and MariaDB with the call's correlation id; what cannot
// be stored is counted by reason. The report records travel on the SIP records' topic and partition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { decodeRecord, decodeReportRecord, REPORT_RECORD_VERSION, splitRecordValue } from '@sipcap/record';
import { decodeRtcp } from '@sipcap/rtcp';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, udpClient } from './support/apps';
import { prng } from './support/prng';
import { freshTopic, testKafka, uniqueName, waitFor } from './support/kafka';
import { startWriter, TestDb } from './support/writer-fixtures';

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];

beforeAll(() => {
  buildApp('hep-agent');
  buildApp('db-writer');
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
});

const CALL_ID = `rtcp-e2e-${Date.now()}@192.0.2.10`;
const TS = 1_764_000_000; // 2025-11-24 16:00:00 UTC
const RTPENGINE_JSON =
  '{"sender_information":{"ntp_timestamp_sec":3973000000,"ntp_timestamp_usec":1234,"rtp_timestamp":160,"packets":50,"octets":8000},"ssrc":3735928559,"type":200,"report_count":1,"report_blocks":[{"source_ssrc":12345,"highest_seq_no":2000,"fraction_lost":5,"ia_jitter":17,"packets_lost":3,"lsr":0,"dlsr":0}],"sdes_ssrc":3735928559,"sdes_report_count":1,"sdes_information":[{"type":1,"text":"rtpengine"}]}';
const QOS_JSON = '{"CORRELATION_ID":"' + CALL_ID + '","MOS":4.2,"JITTER":3}';
const LOG_LINE = '2025-11-24 16:00:00 NOTICE: call answered, it\'s "quoted" \\ ünïcode';

const SIP = [
  `INVITE sip:bob@example.com SIP/2.0`,
  `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-rtcp`,
  `From: <sip:alice@example.com>;tag=1`,
  `To: <sip:bob@example.com>`,
  `Call-ID: ${CALL_ID}`,
  `CSeq: 1 INVITE`,
  `Content-Length: 0`,
  '',
  '',
].join('\r\n');

/** A HEP3 packet of the call; `correlationId` null: without chunk 17. */
function hep(payloadType: number, payload: Buffer | string, usec: number, correlationId: string | null = CALL_ID): Buffer {
  return encodeHep3({
    srcIp: '192.0.2.10',
    dstIp: '198.51.100.20',
    srcPort: 30001,
    dstPort: 40001,
    tsSec: TS,
    tsUsec: usec,
    captureId: 2001,
    payloadType,
    correlationId: correlationId ?? undefined,
    payload: Buffer.from(payload),
  });
}

/** The Kafka partition of every record of the call in the topic: 'sip' or the report kind → partitions. */
async function partitionsOfCall(topic: string, records: number): Promise<Map<string, Set<number>>> {
  const found = new Map<string, Set<number>>();
  let seen = 0;
  const consumer = testKafka().consumer({ groupId: uniqueName('reports-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const split = message.value ? splitRecordValue(message.value) : undefined;
      for (const v of split?.ok ? split.records : []) {
        const r = v[0] === REPORT_RECORD_VERSION ? decodeReportRecord(v) : decodeRecord(v);
        if (!r.ok || r.record.correlation_id !== CALL_ID) continue;
        const kind = 'kind' in r.record ? r.record.kind : 'sip';
        if (!found.has(kind)) found.set(kind, new Set());
        found.get(kind)!.add(partition);
        seen++;
      }
    },
  });
  try {
    await waitFor(`${records} records of the call in ${topic}`, () => (seen >= records ? true : undefined), 30_000, 100);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

describe('reports through hep-agent and db-writer', () => {
  it('stores RTCP (binary and JSON), a QoS report and a log line with the call, in both dialects', async () => {
    const topic = await freshTopic(6, 'reports');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '6',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('reports-flag'),
    });
    processes.push(agent);
    const dbs = { postgres: await new TestDb('postgres').create(), mysql: await new TestDb('mysql').create() };
    databases.push(dbs.postgres, dbs.mysql);
    for (const db of Object.values(dbs)) processes.push(startWriter(db, topic, uniqueName(`g-${db.dialect}`)));
    await agent.waitForLog('hep-agent ready', 60_000);
    for (const w of processes.slice(1)) await w.waitForLog('db-writer consuming', 60_000);

    const udp = await udpClient(port);
    try {
      await udp.send(hep(1, SIP, 1));
      await udp.send(hep(5, RTCP_FIXTURES.srSdes, 2));
      await udp.send(hep(5, RTPENGINE_JSON, 3));
      await udp.send(hep(32, QOS_JSON, 4));
      await udp.send(hep(100, LOG_LINE, 5));
      // Counted and dropped: no correlation id (Kamailio refuses it too), RTCP that lies about its length.
      await udp.send(hep(5, RTCP_FIXTURES.srSdes, 6, null));
      const lying = Buffer.from(RTCP_FIXTURES.rrXr);
      lying[3] = 0x40;
      await udp.send(hep(5, lying, 7));
    } finally {
      udp.close();
    }

    const expectedBinary = decodeRtcp(RTCP_FIXTURES.srSdes);
    if (!expectedBinary.ok) throw new Error('fixture');
    for (const db of Object.values(dbs)) {
      const q = (t: string) =>
        db
          .query<Record<string, unknown>>(
            `SELECT micro_ts, correlation_id, source_ip, source_port, destination_ip, destination_port, proto, family, type, node, msg FROM ${t} ORDER BY micro_ts`,
          )
          .catch(() => []);
      const rtcp = await waitFor(
        `2 rows in ${db.dialect} rtcp_capture`,
        async () => ((await q('rtcp_capture')).length >= 2 ? q('rtcp_capture') : undefined),
        60_000,
        250,
      );
      const reports = await waitFor(
        `a row in ${db.dialect} report_capture`,
        async () => ((await q('report_capture')).length >= 1 ? q('report_capture') : undefined),
        30_000,
        250,
      );
      const logs = await waitFor(
        `a row in ${db.dialect} logs_capture`,
        async () => ((await q('logs_capture')).length >= 1 ? q('logs_capture') : undefined),
        30_000,
        250,
      );
      await sleep(500); // anything dropped-but-stored or duplicated would show now
      const common = {
        correlation_id: CALL_ID,
        source_ip: '192.0.2.10',
        source_port: 30001,
        destination_ip: '198.51.100.20',
        destination_port: 40001,
        proto: 1,
        family: 2,
        node: 'homer01:2001',
      };
      const norm = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, micro_ts: String(r.micro_ts) }));
      expect(norm(await q('rtcp_capture'))).toEqual([
        { ...common, micro_ts: `${TS}000002`, type: 3, msg: JSON.stringify(expectedBinary.json) },
        { ...common, micro_ts: `${TS}000003`, type: 3, msg: RTPENGINE_JSON },
      ]);
      expect(norm(reports)).toEqual([{ ...common, micro_ts: `${TS}000004`, type: 2, msg: QOS_JSON }]);
      expect(norm(logs)).toEqual([{ ...common, micro_ts: `${TS}000005`, type: 5, msg: LOG_LINE }]);
      expect(rtcp).toHaveLength(2);
      // The binary RTCP's figures as they were on the wire.
      expect(JSON.parse(String(rtcp[0].msg)).report_blocks[0]).toMatchObject({ fraction_lost: 26, packets_lost: 42, ia_jitter: 123 });
      const sip = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM sip_capture WHERE callid = '${CALL_ID}'`);
      expect(Number(sip[0].n)).toBe(1);
    }
    // Keyed by the correlation id (the Call-ID): the reports share the partition of the call's SIP.
    const parts = await partitionsOfCall(topic, 5);
    expect([...parts.keys()].sort()).toEqual(['logs', 'report', 'rtcp', 'sip']);
    expect(new Set([...parts.values()].flatMap((p) => [...p])).size).toBe(1);
    expect(await agent.metric('sipcap_reports_dropped_total', '{reason="no_correlation_id"}')).toBe(1);
    expect(await agent.metric('sipcap_reports_dropped_total', '{reason="rtcp_bad_length"}')).toBe(1);
    expect(await agent.metric('sipcap_reports_published_total', '{kind="rtcp"}')).toBe(2);
    expect(await agent.metric('sipcap_reports_published_total', '{kind="report"}')).toBe(1);
    expect(await agent.metric('sipcap_reports_published_total', '{kind="logs"}')).toBe(1);
  });

  it('survives mutated RTCP from the network: every packet published or counted by reason, the agent healthy', async () => {
    const topic = await freshTopic(2, 'reports-fuzz');
    const port = await freeTcpUdpPort();
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${port}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '2',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('reports-fuzz-flag'),
    });
    processes.push(agent);
    await agent.waitForLog('hep-agent ready', 60_000);
    const rand = prng(0x14);
    const fixtures = Object.values(RTCP_FIXTURES);
    const udp = await udpClient(port);
    const SENT = 3000;
    try {
      for (let i = 0; i < SENT; i++) {
        const b = Buffer.from(fixtures[i % fixtures.length]);
        // Two in three mutated: bytes flipped (length words, counts, padding bits), cut short, or grown with junk.
        if (i % 3 !== 0) {
          for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        }
        const payload =
          i % 7 === 1
            ? b.subarray(0, Math.floor(rand() * b.length))
            : i % 11 === 2
              ? Buffer.concat([b, Buffer.alloc(Math.floor(rand() * 600), 0xff)])
              : b;
        await udp.send(hep(5, payload.length > 0 ? payload : Buffer.from([0x80]), i % 1_000_000));
        if (i % 200 === 0) await sleep(5); // stay below the socket buffer
      }
    } finally {
      udp.close();
    }
    const counted = async () => {
      const published = await agent.metric('sipcap_reports_published_total', '{kind="rtcp"}');
      const dropped = await agent.metric('sipcap_reports_dropped_total');
      return { published, dropped };
    };
    const last = await waitFor(
      `${SENT} RTCP packets published or dropped`,
      async () => {
        const c = await counted();
        return c.published + c.dropped >= SENT ? c : undefined;
      },
      30_000,
      200,
    );
    expect(last.published + last.dropped).toBe(SENT);
    expect(last.published).toBeGreaterThanOrEqual(SENT / 3); // at least the unmutated ones
    expect(last.dropped).toBeGreaterThan(0);
    expect(await healthStatus(await agent.metricsPort())).toBe(200);
    expect(agent.child.exitCode).toBeNull();
  });
});
