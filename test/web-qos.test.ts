// The call view's QoS and logs tabs in a real browser (Debian's Chromium driven by playwright-core),
// against the built web app. A call's SIP, its binary RTCP (SR/RR compounds decoded by @sipcap/rtcp
// exactly as hep-agent decodes HEP type 5), a QoS report and log lines are written by the store into
// dated report tables (RTCP_TABLE_NAME=rtcp_capture_%Y%m%d ...) of PostgreSQL; the page must draw one
// chart per metric and media stream with one point per report block, show the figures the RTCP packets
// carry (jitter, fraction lost, cumulative loss, RTT from LSR/DLSR, the E-model MOS), the log lines in
// time order and marks on the ladder. The same records in MariaDB (Kamailio's default table names)
// come back alike from the reports API, and the text export lists them in time order.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportRecord, type ReportKind, type ReportRecord } from '@sipcap/record';
import { decodeRtcpToJson } from '@sipcap/rtcp';
import { testing, writePcap } from '@sipcap/packet';
import { ensureDatabase, openStore, ReportTableRouter, TableRouter, type BatchRow } from '@sipcap/store';
import { estimateMos } from '../apps/web/page/qos-series';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { toRecord, type WebMessage } from './support/web-calls';
import { storeRows } from './store-fixtures';

const RUN = randomBytes(4).toString('hex');
const PG_DB = `sipcap_webqos_${RUN}`;
const MY_DB = `sipcap_webqos_${RUN}`;
const PG_URL = `postgres://postgres@127.0.0.1:5432/${PG_DB}`;
const MY_URL = `mysql://root@127.0.0.1:3306/${MY_DB}`;
const CALL_ID = `qos-${RUN}@10.2.0.1`;
const OTHER_CALL = `other-${RUN}@10.2.0.1`;
const T0 = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
const at = (ms: number) => BigInt(T0 + ms) * 1000n;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const ALICE = '10.2.0.1';
const BOB = '10.2.0.2';
const A_RTCP = 30001;
const B_RTCP = 40001;
const SSRC_A = 0xa1a1a1a1;
const SSRC_B = 0xb2b2b2b2;

// ---- binary RTCP, as a phone writes it (RFC 3550 6.4) ----
interface Block {
  ssrc: number;
  fraction: number;
  lost: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}
function blockBytes(b: Block): Buffer {
  const x = Buffer.alloc(24);
  x.writeUInt32BE(b.ssrc >>> 0, 0);
  x.writeUInt32BE((((b.fraction & 0xff) << 24) | (b.lost & 0xffffff)) >>> 0, 4);
  x.writeUInt32BE(1000, 8);
  x.writeUInt32BE(b.jitter, 12);
  x.writeUInt32BE(b.lsr >>> 0, 16);
  x.writeUInt32BE(b.dlsr >>> 0, 20);
  return x;
}
function header(pt: number, count: number, bodyLen: number): Buffer {
  const x = Buffer.alloc(4);
  x[0] = 0x80 | count;
  x[1] = pt;
  x.writeUInt16BE((bodyLen + 4) / 4 - 1, 2);
  return x;
}
function sdes(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname);
  let body = Buffer.concat([Buffer.alloc(4), Buffer.from([1, text.length]), text, Buffer.from([0])]);
  body.writeUInt32BE(ssrc >>> 0, 0);
  body = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  return Buffer.concat([header(202, 1, body.length), body]);
}
function srPacket(ssrc: number, ntpSec: number, ntpFrac: number, blocks: Block[]): Buffer {
  const body = Buffer.alloc(24);
  body.writeUInt32BE(ssrc >>> 0, 0);
  body.writeUInt32BE(ntpSec >>> 0, 4);
  body.writeUInt32BE(ntpFrac >>> 0, 8);
  body.writeUInt32BE(160, 12);
  body.writeUInt32BE(250, 16);
  body.writeUInt32BE(40_000, 20);
  const all = Buffer.concat([body, ...blocks.map(blockBytes)]);
  return Buffer.concat([header(200, blocks.length, all.length), all, sdes(ssrc, 'alice@10.2.0.1')]);
}
function rrPacket(ssrc: number, blocks: Block[]): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(ssrc >>> 0, 0);
  const all = Buffer.concat([body, ...blocks.map(blockBytes)]);
  return Buffer.concat([header(201, blocks.length, all.length), all, sdes(ssrc, 'bob@10.2.0.2')]);
}

const NTP_SEC = 0xeb000000 + 1000;
const srNtp = (k: number) => [NTP_SEC + 5 * k, 0x40000000] as const; // k-th SR: NTP seconds + 0.25 s
const middle = (sec: number, frac: number) => (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;

/** The RTCP of the call: Alice's SRs (with a block about Bob's stream) and Bob's RRs about Alice's stream. */
const RTCP: { ms: number; from: 'A' | 'B'; bytes: Buffer }[] = [
  { ms: 1500, from: 'A', bytes: srPacket(SSRC_A, ...srNtp(0), [{ ssrc: SSRC_B, fraction: 0, lost: 0, jitter: 24, lsr: 0, dlsr: 0 }]) },
  // 560 ms after the first SR, held 0.5 s (DLSR 32768) → RTT 60 ms
  {
    ms: 2060,
    from: 'B',
    bytes: rrPacket(SSRC_B, [{ ssrc: SSRC_A, fraction: 0, lost: 0, jitter: 40, lsr: middle(...srNtp(0)), dlsr: 32768 }]),
  },
  { ms: 6500, from: 'A', bytes: srPacket(SSRC_A, ...srNtp(1), [{ ssrc: SSRC_B, fraction: 13, lost: 5, jitter: 96, lsr: 0, dlsr: 0 }]) },
  // 1.1 s after the second SR, held 1 s (65536) → RTT 100 ms; 25 % lost in the interval
  {
    ms: 7600,
    from: 'B',
    bytes: rrPacket(SSRC_B, [{ ssrc: SSRC_A, fraction: 64, lost: 21, jitter: 160, lsr: middle(...srNtp(1)), dlsr: 65536 }]),
  },
  // no LSR: no round trip
  { ms: 12000, from: 'B', bytes: rrPacket(SSRC_B, [{ ssrc: SSRC_A, fraction: 3, lost: 24, jitter: 120, lsr: 0, dlsr: 0 }]) },
];
const LOGS = [
  { ms: 300, text: `kamailio: INVITE ${CALL_ID} relayed to <b>bob</b>` },
  { ms: 900, text: 'rtpengine: offer processed' },
  { ms: 14_100, text: 'kamailio: BYE relayed; call ended' },
];
const QOS_JSON = JSON.stringify({ CORRELATION_ID: CALL_ID, MOS: 4.1, JITTER: 3, PACKET_LOSS: 0.5 });

function sip(method: string, cseq: string, from: string, to: string, ms: number, status?: string): WebMessage {
  const start = status ? `SIP/2.0 ${status}` : `${method} sip:bob@${BOB} SIP/2.0`;
  const payload = Buffer.from(
    [
      start,
      `Via: SIP/2.0/UDP ${from}:5060;branch=z9hG4bK-${RUN}-${cseq.replace(' ', '')}`,
      `From: <sip:alice@${ALICE}>;tag=a1`,
      `To: <sip:bob@${BOB}>${status || method === 'BYE' || method === 'ACK' ? ';tag=b1' : ''}`,
      `Call-ID: ${CALL_ID}`,
      `CSeq: ${cseq}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  return { callid: CALL_ID, payload, srcIp: from, srcPort: 5060, dstIp: to, dstPort: 5060, tcp: false, tsMicros: at(ms), captureId: 2001 };
}
const SIP_MESSAGES = [
  sip('INVITE', '1 INVITE', ALICE, BOB, 0),
  sip('INVITE', '1 INVITE', BOB, ALICE, 400, '180 Ringing'),
  sip('INVITE', '1 INVITE', BOB, ALICE, 1000, '200 OK'),
  sip('ACK', '1 ACK', ALICE, BOB, 1100),
  sip('BYE', '2 BYE', ALICE, BOB, 14_000),
  sip('BYE', '2 BYE', BOB, ALICE, 14_050, '200 OK'),
];

function report(kind: ReportKind, ms: number, msg: string, from: 'A' | 'B', callId = CALL_ID): ReportRecord {
  const [srcIp, srcPort, dstIp, dstPort] = from === 'A' ? [ALICE, A_RTCP, BOB, B_RTCP] : [BOB, B_RTCP, ALICE, A_RTCP];
  return buildReportRecord(
    {
      kind,
      type: kind === 'rtcp' ? 3 : kind === 'logs' ? 5 : 2,
      msg,
      srcIp,
      srcPort,
      dstIp,
      dstPort,
      family: 2,
      proto: 1,
      microTs: at(ms),
      correlationId: callId,
      captureId: 2001,
    },
    'qosnode',
  );
}

function reportRecords(): ReportRecord[] {
  const rtcp = RTCP.map((p) => {
    const d = decodeRtcpToJson(p.bytes);
    if (!d.ok) throw new Error(`test RTCP does not decode: ${d.message}`);
    return report('rtcp', p.ms, d.text, p.from);
  });
  // Logs written newest first: the page must still list them in time order.
  const logs = [...LOGS].reverse().map((l) => report('logs', l.ms, l.text, 'A'));
  const other = report('logs', 500, 'a log line of another call', 'A', OTHER_CALL);
  return [...rtcp, report('report', 8000, QOS_JSON, 'B'), ...logs, other];
}

async function writeAll(dbUrl: string, names: { rtcp: string; report: string; logs: string }, tableName: string): Promise<void> {
  await ensureDatabase(dbUrl);
  const store = await openStore(dbUrl);
  const router = new TableRouter({ tableName });
  const reports = new ReportTableRouter(names);
  const rows: BatchRow[] = [
    ...SIP_MESSAGES.map((m) => toRecord(m, 'qosnode')).map((record) => ({ table: router.route(record), record })),
    ...reportRecords().map((record) => ({ table: reports.route(record), record })),
  ];
  await storeRows(store, rows);
  await store.close();
}

const DATED = { rtcp: 'rtcp_capture_%Y%m%d', report: 'report_capture_%Y%m%d', logs: 'logs_capture_%Y%m%d' };
const procs: AgentProcess[] = [];
let browser: Browser;
let pgBase = '';
let myBase = '';

async function startWeb(env: Record<string, string>): Promise<string> {
  const port = await freeTcpUdpPort();
  const agent = startAgent('web', { WEB_LISTEN: `127.0.0.1:${port}`, ...env });
  procs.push(agent);
  await agent.waitForLog('web listening');
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  buildApp('web');
  await writeAll(PG_URL, DATED, 'sip_capture_%Y%m%d');
  await writeAll(MY_URL, { rtcp: 'rtcp_capture', report: 'report_capture', logs: 'logs_capture' }, 'sip_capture');
  pgBase = await startWeb({
    DB_URL: PG_URL,
    TABLE_NAME: 'sip_capture_%Y%m%d',
    RTCP_TABLE_NAME: DATED.rtcp,
    REPORT_TABLE_NAME: DATED.report,
    LOGS_TABLE_NAME: DATED.logs,
  });
  myBase = await startWeb({ DB_URL: MY_URL, TABLE_NAME: 'sip_capture' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs) await p.stop();
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${PG_DB}" WITH (FORCE)`);
  await admin.end();
  const my = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/' });
  await my.query(`DROP DATABASE IF EXISTS \`${MY_DB}\``);
  await my.end();
});

/** What the RTCP says, per stream, in report order: [jitter, fraction, cumulative, rtt ms or undefined]. */
/**
 * tshark's reading of the same RTCP bytes on the wire, at their capture times (its round trip from the
 * SR the LSR names, as the page computes it): per report block [ssrc, jitter, fraction, cumulative, rtt ms].
 */
function tsharkBlocks(): [number, number, number, number, number | undefined][] {
  mkdirSync('test-results', { recursive: true });
  const file = `test-results/web-qos-rtcp-${RUN}.pcap`;
  const frames = RTCP.map((p) => {
    const [src, srcPort, dst, dstPort] = p.from === 'A' ? [ALICE, A_RTCP, BOB, B_RTCP] : [BOB, B_RTCP, ALICE, A_RTCP];
    return {
      tsMicros: at(p.ms),
      frame: testing.ethernetFrame({ payload: testing.udpPacket({ src, dst, srcPort, dstPort, payload: p.bytes }), pad: true }),
    };
  });
  writeFileSync(file, writePcap(frames));
  const out = execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-o',
      'rtcp.show_roundtrip_calculation:TRUE',
      '-o',
      'rtcp.roundtrip_min_threshhold:0',
      '-d',
      `udp.port==${A_RTCP},rtcp`,
      '-T',
      'fields',
      '-E',
      'separator=;',
      '-e',
      'rtcp.senderssrc',
      '-e',
      'rtcp.ssrc.identifier',
      '-e',
      'rtcp.ssrc.jitter',
      '-e',
      'rtcp.ssrc.fraction',
      '-e',
      'rtcp.ssrc.cum_nr',
      '-e',
      'rtcp.roundtrip-delay',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return out
    .trim()
    .split('\n')
    .map((line) => {
      // rtcp.ssrc.identifier lists the report block's SSRC and the SDES chunk's (the sender's)
      const [sender, ids, jitter, fraction, cum, rtt] = line.split(';');
      const block = ids
        .split(',')
        .map(Number)
        .find((id) => id !== Number(sender));
      return [block ?? NaN, Number(jitter), Number(fraction), Number(cum), rtt ? Number(rtt) : undefined];
    });
}

const EXPECTED = {
  [SSRC_A]: [
    [40, 0, 0, 60],
    [160, 64, 21, 100],
    [120, 3, 24, undefined],
  ],
  [SSRC_B]: [
    [24, 0, 0, undefined],
    [96, 13, 5, undefined],
  ],
} as Record<number, [number, number, number, number | undefined][]>;

describe('QoS and logs tabs in Chromium', () => {
  it("draws each stream's charts with one point per report block and shows the figures the RTCP carries", async () => {
    const page = await browser.newPage({ viewport: { width: 1700, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${pgBase}/#call=${encodeURIComponent(CALL_ID)}&at=${T0}`);
    await page.waitForSelector('svg.ladder g.report-mark');
    expect(await page.textContent('#tab-qos')).toBe('QoS (6)');
    expect(await page.textContent('#tab-logs')).toBe('Logs (3)');

    // The ladder: marks between the rows where reports arrived (logs at +0.3 s after the INVITE ...).
    const marks = await page.$$eval('svg.ladder g.report-mark', (gs) =>
      gs.map((g) => ['after', 'rtcp', 'report', 'logs'].map((k) => Number(g.getAttribute(`data-${k}`)))),
    );
    expect(marks).toEqual([
      [0, 0, 0, 1],
      [1, 0, 0, 1],
      [3, 5, 1, 0],
      [5, 0, 0, 1],
    ]);

    await page.click('#tab-qos');
    expect(await page.isVisible('#panel-qos')).toBe(true);
    expect(await page.isVisible('#panel-ladder')).toBe(false);
    const streams = await page.$$eval('.qos-stream', (ss) =>
      ss.map((s) => ({
        ssrc: Number(s.getAttribute('data-ssrc')),
        from: s.querySelector('[data-role="from"]')!.textContent,
        to: s.querySelector('[data-role="to"]')!.textContent,
        charts: Object.fromEntries(
          Array.from(s.querySelectorAll('svg.qos-chart')).map((c) => [
            c.getAttribute('data-metric')!,
            {
              circles: Array.from(c.querySelectorAll('circle.point')).map((p) => Number(p.getAttribute('data-value'))),
              polyline: (c.querySelector('polyline')?.getAttribute('points') ?? '').split(' ').filter(Boolean).length,
            },
          ]),
        ),
        rows: Array.from(s.querySelectorAll('tr.qos-point')).map((tr) =>
          Object.fromEntries(
            Array.from(tr.querySelectorAll('td[data-field]')).map((td) => [td.getAttribute('data-field')!, td.textContent!]),
          ),
        ),
      })),
    );
    expect(streams.map((s) => [s.ssrc, s.from, s.to])).toEqual([
      [SSRC_B, `${ALICE}:${A_RTCP}`, `${BOB}:${B_RTCP}`], // Alice's SRs report on Bob's stream
      [SSRC_A, `${BOB}:${B_RTCP}`, `${ALICE}:${A_RTCP}`],
    ]);
    for (const s of streams) {
      const want = EXPECTED[s.ssrc];
      const n = want.length;
      const withRtt = want.filter((w) => w[3] !== undefined).length;
      for (const metric of ['jitterMs', 'lossPercent', 'cumulativeLost', 'mos']) {
        expect(s.charts[metric].circles, metric).toHaveLength(n);
        expect(s.charts[metric].polyline, metric).toBe(n);
      }
      expect(s.charts.rttMs.circles).toHaveLength(withRtt);
      expect(s.charts.jitterMs.circles).toEqual(want.map((w) => w[0] / 8));
      expect(s.charts.lossPercent.circles).toEqual(want.map((w) => (w[1] / 256) * 100));
      expect(s.charts.cumulativeLost.circles).toEqual(want.map((w) => w[2]));
      s.charts.rttMs.circles.forEach((v, i) => expect(v).toBeCloseTo(want.filter((w) => w[3] !== undefined)[i][3]!, 6));
      expect(s.rows.map((r) => [Number(r.jitter), r.fractionLost, Number(r.cumulativeLost), r.rttMs])).toEqual(
        want.map((w) => [w[0], `${w[1]}/256`, w[2], w[3] === undefined ? '–' : w[3].toFixed(1)]),
      );
      s.rows.forEach((r, i) => {
        const [jitter, fraction, , rtt] = want[i];
        const mos = estimateMos(jitter / 8, (fraction / 256) * 100, rtt).mos;
        expect(r.mos).toBe(mos.toFixed(2));
        expect(s.charts.mos.circles[i]).toBeCloseTo(mos, 9);
      });
    }
    // A known figure by hand: 160 units at 8 kHz = 20 ms, 25 % lost, RTT 100 ms → latency 100 ms, R = 93.2 − 2.5 − 62.5 = 28.2,
    // MOS = 1 + 0.035 × 28.2 + 7e-6 × 28.2 × (28.2 − 60) × (100 − 28.2) = 1 + 0.987 − 0.4507 = 1.536
    expect(streams[1].rows[1]).toMatchObject({ jitterMs: '20.00', lossPercent: '25.00', r: '28.2', mos: '1.54' });
    expect(await page.textContent('.qos-report pre')).toContain('"MOS": 4.1');

    await page.click('#tab-logs');
    const logs = await page.$$eval('#logs .log-line .log-text', (ls) => ls.map((l) => l.textContent));
    expect(logs).toEqual(LOGS.map((l) => l.text));
    expect(await page.$$('#logs b')).toHaveLength(0); // markup in a log line stays text
    await page.screenshot({ path: 'test-results/qos-logs.png', fullPage: true });
    await page.click('#tab-qos');
    await page.locator('#panel-qos').screenshot({ path: 'test-results/qos.png' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("matches tshark's reading of the same RTCP packets: jitter, fraction lost, cumulative loss and round trip", async () => {
    const wire = tsharkBlocks();
    const fromWire = (ssrc: number) => wire.filter((b) => b[0] === ssrc).map((b) => b.slice(1));
    for (const ssrc of [SSRC_A, SSRC_B]) expect(fromWire(ssrc)).toEqual(EXPECTED[ssrc]);
  });

  it("answers the same reports from MariaDB with Kamailio's table names, and the text export lists them in time order", async () => {
    const get = async (base: string) =>
      (await (await fetch(`${base}/api/call/${encodeURIComponent(CALL_ID)}/reports?at=${T0}`)).json()) as Record<
        string,
        { msg: string; micro_ts: string; table: string; source_port: number }[]
      >;
    const [fromPg, fromMy] = [await get(pgBase), await get(myBase)];
    for (const k of ['rtcp', 'reports', 'logs']) {
      const strip = (rows: { msg: string; micro_ts: string; source_port: number }[]) =>
        rows.map((r) => [r.micro_ts, r.source_port, JSON.stringify(r.msg)]);
      expect(strip(fromMy[k]), k).toEqual(strip(fromPg[k]));
    }
    expect(fromPg.rtcp.map((r) => r.table)).toEqual(
      Array(5).fill(new Date(T0).toISOString().slice(0, 10).replace(/-/g, '').replace(/^/, 'rtcp_capture_')),
    );
    expect(fromMy.rtcp[0].table).toBe('rtcp_capture');
    expect(fromPg.logs.map((l) => l.msg)).toEqual(LOGS.map((l) => l.text));
    const text = await (await fetch(`${myBase}/api/call/${encodeURIComponent(CALL_ID)}/text?at=${T0}`)).text();
    const heads = text.split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
    expect(heads).toHaveLength(SIP_MESSAGES.length + RTCP.length + 1 + LOGS.length);
    const times = heads.map((l) => l.slice(0, 26));
    expect([...times].sort()).toEqual(times);
    expect(heads.filter((l) => l.includes(' RTCP (rtcp_capture, type 3)'))).toHaveLength(5);
    expect(text).not.toContain('another call');
  });
});
