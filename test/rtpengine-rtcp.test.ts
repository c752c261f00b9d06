// RTCP from a real sender: Debian's rtpengine relays a call between two endpoints (real RTP both ways,
// set up over its ng control protocol), and sends the RTCP it relays to a running hep-agent as HEP type 5
// (rtpengine writes it as JSON, with the Call-ID as correlation id). Running db-writers store it in
// rtcp_capture of PostgreSQL and MariaDB. The figures stored are checked against tshark's reading of the
// same RTCP packets on the loopback wire, and against what the receiving endpoint measured from the RTP.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, sleep } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { startRtpengine, type Rtpengine } from './support/rtpengine';
import { startWriter, TestDb } from './support/writer-fixtures';

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];
let rtpengine: Rtpengine | undefined;
let capture: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'rtpengine-rtcp-'));

beforeAll(() => {
  buildApp('hep-agent');
  buildApp('db-writer');
});

afterAll(async () => {
  capture?.kill('SIGKILL');
  await rtpengine?.stop();
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of databases) await db.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** What a receiver measures of one RTP stream (RFC 3550 A.1, A.3, A.8), for its report block. */
class ReceiverStats {
  received = 0;
  private base = -1;
  private max = -1;
  private transit: number | undefined;
  private jitter = 0;
  ssrc = 0;

  onRtp(b: Buffer, arrivalMs: number): void {
    const seq = b.readUInt16BE(2);
    const ts = b.readUInt32BE(4);
    this.ssrc = b.readUInt32BE(8);
    if (this.base < 0) this.base = seq;
    this.max = Math.max(this.max, seq);
    this.received++;
    const transit = arrivalMs * 8 - ts; // 8 kHz clock (PCMU)
    if (this.transit !== undefined) this.jitter += (Math.abs(transit - this.transit) - this.jitter) / 16;
    this.transit = transit;
  }

  /** One report block: source SSRC, fraction lost (first interval), cumulative lost, highest seq, jitter. */
  block(): Buffer {
    const expected = this.max - this.base + 1;
    const lost = expected - this.received;
    const b = Buffer.alloc(24);
    b.writeUInt32BE(this.ssrc, 0);
    b[4] = expected > 0 && lost > 0 ? Math.floor((lost * 256) / expected) : 0;
    b.writeUIntBE(lost, 5, 3);
    b.writeUInt32BE(this.max, 8);
    b.writeUInt32BE(Math.floor(this.jitter), 12);
    return b; // LSR, DLSR 0: no SR received yet
  }

  get lost(): number {
    return this.max - this.base + 1 - this.received;
  }
}

function rtcpHeader(count: number, pt: number, words: number): Buffer {
  const h = Buffer.alloc(4);
  h[0] = 0x80 | count;
  h[1] = pt;
  h.writeUInt16BE(words, 2);
  return h;
}

/** SDES with one CNAME chunk, padded to a word. */
function sdes(ssrc: number, cname: string): Buffer {
  const item = Buffer.concat([Buffer.from([1, cname.length]), Buffer.from(cname)]);
  const body = Buffer.concat([Buffer.alloc(4), item, Buffer.alloc(4 - (item.length % 4))]);
  body.writeUInt32BE(ssrc, 0);
  return Buffer.concat([rtcpHeader(1, 202, body.length / 4), body]);
}

/** A compound SR (sender info of what was sent) + SDES, or RR + SDES when `sent` is undefined. */
function compound(ssrc: number, block: Buffer, sent?: { packets: number; octets: number; rtpTs: number }): Buffer {
  const first = sent
    ? (() => {
        const b = Buffer.alloc(24);
        b.writeUInt32BE(ssrc, 0);
        const ntp = Date.now() / 1000 + 2_208_988_800;
        b.writeUInt32BE(Math.floor(ntp), 4);
        b.writeUInt32BE(Math.floor((ntp % 1) * 2 ** 32), 8);
        b.writeUInt32BE(sent.rtpTs, 12);
        b.writeUInt32BE(sent.packets, 16);
        b.writeUInt32BE(sent.octets, 20);
        return Buffer.concat([rtcpHeader(1, 200, 12), b, block]);
      })()
    : (() => {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(ssrc, 0);
        return Buffer.concat([rtcpHeader(1, 201, 7), b, block]);
      })();
  return Buffer.concat([first, sdes(ssrc, `ep-${ssrc}@127.0.0.1`)]);
}

/** An endpoint: RTP on an even port and RTCP on the next one, both on 127.0.0.1. */
async function endpoint(): Promise<{ rtp: Socket; rtcp: Socket; port: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 41_000 + 2 * Math.floor(Math.random() * 8000);
    const bind = (p: number) =>
      new Promise<Socket | undefined>((resolve) => {
        const s = createSocket('udp4');
        s.once('error', () => resolve(undefined));
        s.bind(p, '127.0.0.1', () => resolve(s));
      });
    const rtp = await bind(port);
    const rtcp = rtp && (await bind(port + 1));
    if (rtp && rtcp) return { rtp, rtcp, port };
    rtp?.close();
  }
  throw new Error('no free even/odd port pair');
}

const sdpOf = (port: number, id: number) =>
  [
    'v=0',
    `o=- ${id} 1 IN IP4 127.0.0.1`,
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=sendrecv',
    '',
  ].join('\r\n');

/** The media port and RTCP port rtpengine put in an SDP it returned. */
function mediaPorts(sdp: string | undefined): { rtp: number; rtcp: number } {
  const m = /^m=audio (\d+) /m.exec(sdp ?? '');
  const r = /^a=rtcp:(\d+)/m.exec(sdp ?? '');
  if (!m) throw new Error(`no m=audio line in ${sdp}`);
  return { rtp: Number(m[1]), rtcp: r ? Number(r[1]) : Number(m[1]) + 1 };
}

function rtpPacket(seq: number, ts: number, ssrc: number): Buffer {
  const b = Buffer.alloc(12 + 160, 0xff);
  b[0] = 0x80;
  b[1] = 0; // PCMU
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  return b;
}

interface TsharkRtcp {
  srcPort: number;
  dstPort: number;
  senderSsrc: number;
  packets?: number;
  octets?: number;
  block: { ssrc: number; fraction: number; cumLost: number; extHigh: number; jitter: number };
}

/** tshark's reading of the RTCP packets sent to the given (rtpengine) ports. */
function tsharkRtcp(pcap: string, ports: number[]): TsharkRtcp[] {
  const fields = [
    'udp.srcport',
    'udp.dstport',
    'rtcp.senderssrc',
    'rtcp.sender.packetcount',
    'rtcp.sender.octetcount',
    'rtcp.ssrc.identifier',
    'rtcp.ssrc.fraction',
    'rtcp.ssrc.cum_nr',
    'rtcp.ssrc.ext_high',
    'rtcp.ssrc.jitter',
  ];
  const out = execFileSync(
    'tshark',
    [
      '-r',
      pcap,
      ...ports.flatMap((p) => ['-d', `udp.port==${p},rtcp`]),
      '-Y',
      `rtcp && (${ports.map((p) => `udp.dstport == ${p}`).join(' || ')})`,
      '-T',
      'fields',
      '-E',
      'separator=|',
      '-E',
      'occurrence=f',
      ...fields.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const v = line.split('|');
      const n = (i: number) => (v[i] === '' ? undefined : Number(v[i]));
      return {
        srcPort: n(0)!,
        dstPort: n(1)!,
        senderSsrc: n(2)!,
        packets: n(3),
        octets: n(4),
        block: { ssrc: n(5)!, fraction: n(6)!, cumLost: n(7)!, extHigh: n(8)!, jitter: n(9)! },
      };
    });
}

describe('rtpengine RTCP over HEP', () => {
  it("stores the RTCP rtpengine relays with the call's Call-ID, its figures as tshark reads them on the wire", async () => {
    const topic = await freshTopic(6, 'rtpengine');
    const hepPort = await freeTcpUdpPort();
    const ngPort = await freeTcpUdpPort();
    const homerId = 2300 + Math.floor(Math.random() * 600);
    const agent = startAgent('hep-agent', {
      HEP_LISTEN: `127.0.0.1:${hepPort}`,
      KAFKA_TOPIC: topic,
      KAFKA_PARTITIONS: '6',
      CAPTURE_ON: '1',
      CAPTURE_FLAG_KEY: uniqueName('rtpengine-flag'),
    });
    processes.push(agent);
    const dbs = [await new TestDb('postgres').create(), await new TestDb('mysql').create()];
    databases.push(...dbs);
    for (const db of dbs) processes.push(startWriter(db, topic, uniqueName(`rtpe-${db.dialect}`)));
    await agent.waitForLog('hep-agent ready', 60_000);
    for (const w of processes.slice(1)) await w.waitForLog('db-writer consuming', 60_000);

    // rtpengine's media ports: a range of its own, so the capture filter sees only this call.
    const portMin = 20_000 + 100 * Math.floor(Math.random() * 150);
    const portMax = portMin + 99;
    rtpengine = await startRtpengine({ ngPort, portMin, portMax, homerPort: hepPort, homerId });

    const pcap = join(dir, 'lo.pcap');
    capture = spawn('tshark', ['-i', 'lo', '-f', `udp portrange ${portMin}-${portMax}`, '-w', pcap], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let captureLog = '';
    capture.stderr!.on('data', (d: Buffer) => (captureLog += d.toString()));
    await waitFor('tshark capturing on lo', () => (captureLog.includes('Capturing on') ? true : undefined), 30_000, 50);

    const callId = `${uniqueName('rtpengine-call')}@127.0.0.1`;
    const a = await endpoint();
    const b = await endpoint();
    const offer = await rtpengine.ng({ command: 'offer', 'call-id': callId, 'from-tag': 'tag-a', sdp: sdpOf(a.port, 1) });
    expect(offer.result).toBe('ok');
    const toB = mediaPorts(offer.sdp); // where B sends to reach A
    const answer = await rtpengine.ng({
      command: 'answer',
      'call-id': callId,
      'from-tag': 'tag-a',
      'to-tag': 'tag-b',
      sdp: sdpOf(b.port, 2),
    });
    expect(answer.result).toBe('ok');
    const toA = mediaPorts(answer.sdp); // where A sends to reach B

    // Real RTP both ways through rtpengine, 20 ms apart with uneven gaps; A leaves out three packets, B one.
    const SSRC_A = 0x0a0a0a0a;
    const SSRC_B = 0x0b0b0b0b;
    const atA = new ReceiverStats(); // what A receives (from B)
    const atB = new ReceiverStats();
    a.rtp.on('message', (m) => atA.onRtp(m, performance.now()));
    b.rtp.on('message', (m) => atB.onRtp(m, performance.now()));
    const N = 60;
    const skipA = new Set([10, 25, 40]);
    const skipB = new Set([33]);
    let sentA = 0;
    for (let i = 0; i < N; i++) {
      if (!skipA.has(i)) {
        a.rtp.send(rtpPacket(1000 + i, 160 * i, SSRC_A), toA.rtp, '127.0.0.1');
        sentA++;
      }
      if (!skipB.has(i)) b.rtp.send(rtpPacket(7000 + i, 160 * i, SSRC_B), toB.rtp, '127.0.0.1');
      await sleep(20 + ((i * 7) % 11) - 5);
    }
    await waitFor(
      'the RTP through rtpengine',
      () => (atB.received === N - skipA.size && atA.received === N - skipB.size ? true : undefined),
      10_000,
      50,
    );
    expect([atB.lost, atA.lost]).toEqual([3, 1]);

    // A: SR + SDES (it sent RTP; its block is about B's stream). B: RR + SDES about A's stream.
    const srA = compound(SSRC_A, atA.block(), { packets: sentA, octets: sentA * 160, rtpTs: 160 * N });
    const rrB = compound(SSRC_B, atB.block());
    a.rtcp.send(srA, toA.rtcp, '127.0.0.1');
    b.rtcp.send(rrB, toB.rtcp, '127.0.0.1');

    type Row = {
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
          `SELECT correlation_id, source_ip, source_port, destination_ip, destination_port, proto, family, type, node, msg FROM rtcp_capture WHERE correlation_id = '${callId}' ORDER BY micro_ts`,
        )
        .catch(() => [] as Row[]);
    const stored = new Map<string, Row[]>();
    for (const db of dbs)
      stored.set(
        db.dialect,
        await waitFor(`2 RTCP rows in ${db.dialect}`, async () => ((await rowsOf(db)).length >= 2 ? rowsOf(db) : undefined), 60_000, 250),
      );
    await sleep(1500); // a duplicate would show by now; tshark has written the packets
    capture.kill('SIGINT');
    await new Promise((r) => capture!.once('exit', r));
    await rtpengine.ng({ command: 'delete', 'call-id': callId, 'from-tag': 'tag-a' });

    const wire = tsharkRtcp(pcap, [toA.rtcp, toB.rtcp]);
    expect(wire.map((w) => w.senderSsrc).sort()).toEqual([SSRC_A, SSRC_B]);
    for (const db of dbs) {
      const rows = await rowsOf(db);
      expect(rows, db.dialect).toHaveLength(2);
      for (const row of rows) {
        const json = JSON.parse(row.msg) as {
          ssrc: number;
          type: number;
          sender_information?: { packets: number; octets: number };
          report_blocks: { source_ssrc: number; fraction_lost: number; packets_lost: number; highest_seq_no: number; ia_jitter: number }[];
        };
        const w = wire.find((x) => x.senderSsrc === json.ssrc);
        expect(w, `${db.dialect}: tshark saw the RTCP of SSRC ${json.ssrc}`).toBeDefined();
        expect({
          correlation_id: row.correlation_id,
          type: Number(row.type),
          proto: Number(row.proto),
          family: Number(row.family),
          node: row.node,
        }).toEqual({
          correlation_id: callId,
          type: 3,
          proto: 1,
          family: 2,
          node: `homer01:${homerId}`,
        });
        // The addresses of the RTCP as it reached rtpengine: the endpoint's RTCP port to rtpengine's.
        expect([row.source_ip, Number(row.source_port), row.destination_ip, Number(row.destination_port)]).toEqual([
          '127.0.0.1',
          w!.srcPort,
          '127.0.0.1',
          w!.dstPort,
        ]);
        expect(json.report_blocks).toHaveLength(1);
        const rb = json.report_blocks[0];
        expect({
          source_ssrc: rb.source_ssrc,
          fraction_lost: rb.fraction_lost,
          packets_lost: rb.packets_lost,
          highest_seq_no: rb.highest_seq_no,
          ia_jitter: rb.ia_jitter,
        }).toEqual({
          source_ssrc: w!.block.ssrc,
          fraction_lost: w!.block.fraction,
          packets_lost: w!.block.cumLost,
          highest_seq_no: w!.block.extHigh,
          ia_jitter: w!.block.jitter,
        });
        if (json.ssrc === SSRC_A) {
          expect(json.type).toBe(200);
          expect(json.sender_information).toMatchObject({ packets: w!.packets, octets: w!.octets });
          expect(rb).toMatchObject({ source_ssrc: SSRC_B, packets_lost: 1 }); // A measured B's stream
        } else {
          expect(rb).toMatchObject({ source_ssrc: SSRC_A, packets_lost: 3, highest_seq_no: 1000 + N - 1 }); // B measured A's stream
          expect(rb.ia_jitter).toBeGreaterThan(0); // A's packets left 15 to 25 ms apart
        }
      }
    }
    expect(await agent.metric('sipcap_reports_published_total', '{kind="rtcp"}')).toBe(2);
    for (const s of [a.rtp, a.rtcp, b.rtp, b.rtcp]) s.close();
  });
});
