// RTCP from raw capture: a pcap with a call's signalling (INVITE and 200 OK with SDP), its RTP and RTCP
// (on the odd ports and multiplexed on the RTP ports), and RTCP of a call never signalled, read by the
// mirror-agent through PCAP_FILE with RTCP_PORT_RANGE. Running db-writers store the call's RTCP in
// rtcp_capture (PostgreSQL and MariaDB) with its Call-ID as correlation id, decoded into JSON; the
// unmatched RTCP and the RTP are not stored.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testing, writePcap } from '@sipcap/packet';
import { decodeRtcp } from '@sipcap/rtcp';
import { RTCP_FIXTURES } from '../libs/rtcp/src/test-fixtures';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { sleep } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { startWriter, TestDb } from './support/writer-fixtures';

const dir = mkdtempSync(join(tmpdir(), 'raw-rtcp-'));
const processes: AgentProcess[] = [];
const databases: TestDb[] = [];

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const CALLER = '192.0.2.10';
const CALLEE = '198.51.100.20';
const T0 = 1_764_000_000_000_000n; // 2025-11-24 16:00:00 UTC, in microseconds
const sdp = (ip: string, port: number) =>
  ['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', ''].join(
    '\r\n',
  );
const udp = (srcIp: string, srcPort: number, dstIp: string, dstPort: number, payload: Buffer) =>
  testing.buildEthernetIpv4Udp({ srcIp, dstIp, srcPort, dstPort, payload });
const rtp = (seq: number) =>
  Buffer.concat([Buffer.from([0x80, 0x00, seq >> 8, seq & 255, 0, 0, 0, 160, 0xaa, 0xbb, 0xcc, 0xdd]), Buffer.alloc(160, 0xff)]);

describe('mirror-agent RTCP capture from PCAP_FILE', () => {
  it('stores the RTCP of a signalled call in rtcp_capture with its Call-ID, in both dialects; RTP and unmatched RTCP are not stored', async () => {
    buildApp('mirror-agent');
    buildApp('db-writer');
    const callId = `${uniqueName('raw-rtcp')}@${CALLER}`;
    const other = `${uniqueName('raw-rtcp-other')}@${CALLER}`;
    // [frame, what it is]: the RTCP rows expected, in time order.
    const frames: { frame: Buffer; rtcp?: { payload: Buffer; src: [string, number]; dst: [string, number] } }[] = [];
    const add = (f: Buffer, rtcp?: { payload: Buffer; src: [string, number]; dst: [string, number] }) => frames.push({ frame: f, rtcp });
    // RTCP seen before its call's SDP cannot be matched (as in heplify): not stored.
    add(udp(CALLEE, 31001, CALLER, 21001, RTCP_FIXTURES.gstreamerRr));
    add(udp(CALLER, 5060, CALLEE, 5060, testing.sipRequest({ callId, body: sdp(CALLER, 21000) })));
    add(udp(CALLEE, 5060, CALLER, 5060, testing.sipReply({ callId, body: sdp(CALLEE, 31000) })));
    for (let i = 0; i < 20; i++) {
      add(udp(CALLER, 21000, CALLEE, 31000, rtp(i)));
      add(udp(CALLEE, 31000, CALLER, 21000, rtp(1000 + i)));
    }
    add(udp(CALLER, 21001, CALLEE, 31001, RTCP_FIXTURES.srSdes), {
      payload: RTCP_FIXTURES.srSdes,
      src: [CALLER, 21001],
      dst: [CALLEE, 31001],
    });
    add(udp(CALLEE, 31001, CALLER, 21001, RTCP_FIXTURES.gstreamerRr), {
      payload: RTCP_FIXTURES.gstreamerRr,
      src: [CALLEE, 31001],
      dst: [CALLER, 21001],
    });
    // Multiplexed on the RTP ports (RFC 5761), told from RTP by its packet type.
    add(udp(CALLEE, 31000, CALLER, 21000, RTCP_FIXTURES.rrXr), { payload: RTCP_FIXTURES.rrXr, src: [CALLEE, 31000], dst: [CALLER, 21000] });
    // The call's RTCP, malformed: cut short, a length word past the datagram, padding that lies, 64 KiB of
    // report blocks (2,700 of them in one datagram). Decoded by the report publisher, counted, not stored.
    const rr31 = Buffer.alloc(8 + 31 * 24, 0x11);
    rr31[0] = 0x80 | 31;
    rr31[1] = 201;
    rr31.writeUInt16BE(rr31.length / 4 - 1, 2);
    const lengthLie = Buffer.from(RTCP_FIXTURES.srSdes);
    lengthLie[3] = 0x20;
    const paddingLie = Buffer.from(RTCP_FIXTURES.padded);
    paddingLie[11] = 13;
    const malformed = [RTCP_FIXTURES.srSdes.subarray(0, 30), lengthLie, paddingLie, Buffer.concat(Array.from({ length: 87 }, () => rr31))];
    for (const m of malformed) add(udp(CALLER, 21001, CALLEE, 31001, m));
    // Another call's RTCP, never signalled in this capture.
    add(udp('203.0.113.7', 41001, '203.0.113.8', 51001, RTCP_FIXTURES.srSdes));
    add(udp(CALLER, 5060, CALLEE, 5060, testing.sipRequest({ callId, method: 'BYE', cseq: 2 })));
    add(udp(CALLER, 21001, CALLEE, 31001, RTCP_FIXTURES.gstreamerSrBye), {
      payload: RTCP_FIXTURES.gstreamerSrBye,
      src: [CALLER, 21001],
      dst: [CALLEE, 31001],
    });
    add(udp(CALLER, 5060, CALLEE, 5060, testing.sipRequest({ callId: other })));
    const file = join(dir, 'call-with-rtcp.pcap');
    writeFileSync(file, writePcap(frames.map((f, i) => ({ tsMicros: T0 + BigInt(i) * 20_000n, frame: f.frame }))));
    const expected = frames.flatMap((f, i) => (f.rtcp ? [{ ...f.rtcp, microTs: T0 + BigInt(i) * 20_000n }] : []));

    const topic = await freshTopic(6, 'raw-rtcp');
    const dbs = [await new TestDb('postgres').create(), await new TestDb('mysql').create()];
    databases.push(...dbs);
    for (const db of dbs) processes.push(startWriter(db, topic, uniqueName(`raw-rtcp-${db.dialect}`)));
    for (const w of processes) await w.waitForLog('db-writer consuming', 60_000);
    const agent = startAgent('mirror-agent', {
      RAW_MONI_CAPTURE_ON: '1',
      RAW_SOCKET_LISTEN: '0.0.0.0:5060',
      RTCP_PORT_RANGE: '20000-40000',
      PCAP_FILE: file,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '6',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('raw-rtcp-flag'),
    });
    processes.push(agent);
    expect((await agent.exited).code, agent.output()).toBe(0);

    type Row = {
      micro_ts: string;
      correlation_id: string;
      source_ip: string;
      source_port: number;
      destination_ip: string;
      destination_port: number;
      proto: number;
      family: number;
      type: number;
      node: string;
      msg: string;
    };
    const rowsOf = (db: TestDb) =>
      db
        .query<Row>(
          'SELECT micro_ts, correlation_id, source_ip, source_port, destination_ip, destination_port, proto, family, type, node, msg FROM rtcp_capture ORDER BY micro_ts',
        )
        .catch(() => [] as Row[]);
    for (const db of dbs) {
      await waitFor(
        `${expected.length} RTCP rows in ${db.dialect}`,
        async () => ((await rowsOf(db)).length >= expected.length ? true : undefined),
        60_000,
        250,
      );
      await waitFor(`the call's 3 SIP rows in ${db.dialect}`, async () => ((await db.counts()).rows >= 4 ? true : undefined), 30_000, 250);
    }
    await sleep(500); // anything extra would show by now
    for (const db of dbs) {
      const rows = (await rowsOf(db)).map((r) => ({
        ...r,
        micro_ts: String(r.micro_ts),
        source_port: Number(r.source_port),
        destination_port: Number(r.destination_port),
        proto: Number(r.proto),
        family: Number(r.family),
        type: Number(r.type),
      }));
      expect(rows, db.dialect).toEqual(
        expected.map((e) => {
          const json = decodeRtcp(e.payload);
          if (!json.ok) throw new Error('fixture');
          return {
            micro_ts: String(e.microTs),
            correlation_id: callId,
            source_ip: e.src[0],
            source_port: e.src[1],
            destination_ip: e.dst[0],
            destination_port: e.dst[1],
            proto: 1,
            family: 2,
            type: 3,
            node: 'homer01',
            msg: JSON.stringify(json.json),
          };
        }),
      );
      // The figures as the packets carry them (libs/rtcp checks its decoding of these fixtures against tshark).
      expect(JSON.parse(rows[0].msg).report_blocks[0]).toMatchObject({ fraction_lost: 26, packets_lost: 42, ia_jitter: 123 });
      const sip = await db.query<{ callid: string; n: number | string }>(
        'SELECT callid, count(*) AS n FROM sip_capture GROUP BY callid ORDER BY callid',
      );
      expect(sip.map((r) => [r.callid, Number(r.n)]).sort()).toEqual(
        [
          [callId, 3],
          [other, 1],
        ].sort(),
      );
    }
    expect(agent.output()).toContain('"rtcpPorts":"20000-40000"');
    // The report publisher's totals when the file was done: the 4 stored, the 4 malformed dropped.
    expect(agent.output()).toContain('"reports":{"published":4,"dropped":4}');
  });
});
