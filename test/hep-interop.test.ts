// The HEP interoperability matrix: independent senders, each installed from Debian (scripts/setup.sh) or npm,
// feed one running hep-agent; db-writers store into PostgreSQL and MariaDB; every message each sender sent is
// found in both databases, field by field.
//  - Kamailio siptrace (a proxy answering 200 OK, mirroring what it receives and sends): HEP v1, v2, v3 over
//    UDP and v3 over TCP. v1/v2 put 16 in the header-length byte (the v2 time header is not counted).
//  - sngrep reading a pcap: HEP v3 (its default) and v2 (eep.send.version 2; its length byte is the high
//    byte of htons(datagram length)).
//  - sipgrep reading the same pcap: HEP v3.
//  - hep-js (npm): HEP v3.
// The SIP carries bracketed IPv6 hosts in its URIs: they are stored as Kamailio stores them ([::1]).
import { execFile } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testing } from '@sipcap/packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { siptraceConfig, startKamailio, type Kamailio } from './support/kamailio';
import { startWriter, TestDb } from './support/writer-fixtures';

const run = promisify(execFile);
const hepJs = createRequire(import.meta.url)('hep-js') as { encapsulate(payload: string, rcinfo: Record<string, unknown>): Buffer };

const processes: AgentProcess[] = [];
const kamailios: Kamailio[] = [];
const dbs: TestDb[] = []; // the pipeline's databases, one per dialect
const kamailioDbs: TestDb[] = []; // Kamailio sipcapture's
const dir = mkdtempSync(join(tmpdir(), 'hep-interop-'));
let agent: AgentProcess;
let hepPort = 0;
const CAPTURE_NODE = 'interop01';

beforeAll(async () => {
  buildApp('hep-agent');
  buildApp('db-writer');
  const topic = await freshTopic(6, 'hep-interop');
  hepPort = await freeTcpUdpPort();
  agent = startAgent('hep-agent', {
    // The independent senders meet the agent as operators run it: several workers sharing the port.
    HEP_WORKERS: '2',
    HEP_LISTEN: `127.0.0.1:${hepPort}`,
    KAFKA_TOPIC: topic,
    KAFKA_PARTITIONS: '6',
    CAPTURE_ON: '1',
    CAPTURE_FLAG_KEY: uniqueName('interop-flag'),
    CAPTURE_NODE,
  });
  processes.push(agent);
  dbs.push(await new TestDb('postgres').create(), await new TestDb('mysql').create());
  for (const db of dbs) processes.push(startWriter(db, topic, uniqueName(`interop-${db.dialect}`), { CAPTURE_NODE }));
  await agent.waitForLog('hep-agent ready', 90_000);
  for (const w of processes.slice(1)) await w.waitForLog('db-writer consuming', 90_000);
}, 240_000);

afterAll(async () => {
  for (const k of kamailios) await k.stop().catch(() => undefined);
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const db of [...dbs, ...kamailioDbs]) await db.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** The columns compared, as text/number (both dialects alike). */
const COLUMNS = [
  'method',
  'reply_reason',
  'ruri',
  'ruri_user',
  'ruri_domain',
  'from_user',
  'from_domain',
  'from_tag',
  'to_user',
  'to_domain',
  'to_tag',
  'callid',
  'cseq',
  'via_1',
  'via_1_branch',
  'contact_user',
  'contact_ip',
  'contact_port',
  'user_agent',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'proto',
  'family',
  'type',
  'node',
  'micro_ts',
  'msg',
] as const;
type Row = Record<(typeof COLUMNS)[number], string | number>;
const NUMERIC = new Set(['contact_port', 'source_port', 'destination_port', 'proto', 'family', 'type']);

/**
 * The rows of a request/reply pair, request first: by type, not by time, since a HEP v1 copy carries no
 * time and the two copies may be stamped by different agent workers in the same or crossed milliseconds.
 */
async function rowsOf(db: TestDb, callid: string): Promise<Row[]> {
  const raw = await db
    .query<Record<string, unknown>>(
      `SELECT ${COLUMNS.join(', ')} FROM sip_capture WHERE callid = $CALLID ORDER BY type, micro_ts`.replace('$CALLID', `'${callid}'`),
    )
    .catch(() => []);
  return raw.map((r) => {
    const o = {} as Row;
    for (const c of COLUMNS) o[c] = NUMERIC.has(c) ? Number(r[c]) : c === 'micro_ts' ? String(r[c]) : String(r[c] ?? '');
    return o;
  });
}

/** Waits until both databases hold `n` rows of the Call-ID, then a little longer (a duplicate would show). */
async function stored(callid: string, n: number): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const db of dbs) {
    try {
      await waitFor(
        `${n} rows of ${callid} in ${db.dialect}`,
        async () => ((await rowsOf(db, callid)).length >= n ? true : undefined),
        90_000,
        250,
      );
    } catch (e) {
      // Say why: what the agent counted as dropped (a decode error reason is a label).
      const port = await agent.metricsPort();
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const drops = text
        .split('\n')
        .filter((l) => /dropped|malformed|decoded|non_sip|received|published|auth_failed/.test(l) && !l.startsWith('#'));
      throw new Error(`${(e as Error).message}\nhep-agent counters:\n${drops.join('\n')}`, { cause: e });
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (const db of dbs) out.set(db.dialect, await rowsOf(db, callid));
  return out;
}

/** A SIP request with bracketed IPv6 hosts in every URI (the IPv4 transport addresses are the packet's). */
function optionsRequest(callid: string, clientPort: number, proxyPort: number): string {
  return [
    `OPTIONS sip:bob@[::1]:${proxyPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};branch=z9hG4bK-${callid}`,
    `From: "Alice" <sip:alice@[2001:db8::1]>;tag=from-${callid}`,
    'To: <sip:bob@[::1]>',
    `Call-ID: ${callid}`,
    'CSeq: 7 OPTIONS',
    'Contact: <sip:alice@[2001:db8::1]:5070>',
    'Max-Forwards: 70',
    'User-Agent: sipcap-interop',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Binds a UDP client on 127.0.0.1. */
async function udpSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  return s;
}

/** Sends `msg` and resolves with the first datagram back (the 200 OK), or rejects after `ms`. */
function exchange(s: Socket, msg: string, port: number, ms: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (s.off('message', on), reject(new Error(`no reply from 127.0.0.1:${port} in ${ms} ms`))), ms);
    const on = (m: Buffer) => (clearTimeout(t), s.off('message', on), resolve(m));
    s.on('message', on);
    s.send(msg, port, '127.0.0.1');
  });
}

/** The request row's expected columns for optionsRequest(). */
function requestRow(callid: string, clientPort: number, proxyPort: number, node: string): Partial<Row> {
  return {
    method: 'OPTIONS',
    reply_reason: '',
    ruri: `sip:bob@[::1]:${proxyPort}`,
    ruri_user: 'bob',
    ruri_domain: '[::1]',
    from_user: 'alice',
    from_domain: '[2001:db8::1]',
    from_tag: `from-${callid}`,
    to_user: 'bob',
    to_domain: '[::1]',
    to_tag: '',
    callid,
    cseq: '7 OPTIONS',
    via_1: `SIP/2.0/UDP 127.0.0.1:${clientPort};branch=z9hG4bK-${callid}`,
    via_1_branch: `z9hG4bK-${callid}`,
    contact_user: 'alice',
    contact_ip: '[2001:db8::1]',
    contact_port: 5070,
    user_agent: 'sipcap-interop',
    source_ip: '127.0.0.1',
    source_port: clientPort,
    destination_ip: '127.0.0.1',
    destination_port: proxyPort,
    proto: 1,
    family: 2,
    type: 1,
    node,
    msg: optionsRequest(callid, clientPort, proxyPort),
  };
}

function expectTime(row: Row, fromUs: bigint, toUs: bigint, what: string): void {
  const t = BigInt(row.micro_ts);
  expect(t >= fromUs && t <= toUs, `${what}: micro_ts ${t} within [${fromUs}, ${toUs}]`).toBe(true);
}

const nowUs = () => BigInt(Date.now()) * 1000n;

describe('Kamailio siptrace', () => {
  const cases: { name: string; version: 1 | 2 | 3; tcp?: boolean }[] = [
    { name: 'HEP v1 over UDP', version: 1 },
    { name: 'HEP v2 over UDP', version: 2 },
    { name: 'HEP v3 over UDP', version: 3 },
    { name: 'HEP v3 over TCP', version: 3, tcp: true },
  ];
  for (const c of cases) {
    it(`${c.name}: the request it received and the 200 OK it sent, field by field in both databases`, async () => {
      const sipPort = await freeTcpUdpPort();
      const captureId = 3000 + Math.floor(Math.random() * 900);
      const k = await startKamailio(
        siptraceConfig({ sipPort, hepPort, hepVersion: c.version, captureId, hepTcp: c.tcp }),
        `siptrace-v${c.version}${c.tcp ? 'tcp' : ''}`,
      );
      kamailios.push(k);
      const s = await udpSocket();
      const clientPort = s.address().port;
      // Readiness: a probe of its own Call-ID until Kamailio answers (its rows are not looked at).
      await waitFor(
        'kamailio answering',
        async () => {
          const probe = uniqueName('probe');
          return exchange(s, optionsRequest(probe, clientPort, sipPort), sipPort, 1000).then(
            () => true,
            () => undefined,
          );
        },
        60_000,
        200,
      );

      const callid = uniqueName(`ktrace-v${c.version}${c.tcp ? 'tcp' : ''}`);
      const t0 = nowUs();
      const reply = await exchange(s, optionsRequest(callid, clientPort, sipPort), sipPort, 10_000);
      const t1 = nowUs();
      s.close();
      expect(reply.toString('latin1')).toMatch(/^SIP\/2\.0 200 OK\r\n/);
      const toTag = /^To: .*;tag=([^;\r\n]+)/m.exec(reply.toString('latin1'))?.[1];
      expect(toTag, 'the To tag sl put in its reply').toBeDefined();

      const node = c.version === 1 ? CAPTURE_NODE : `${CAPTURE_NODE}:${captureId}`; // v1 carries no capture id
      for (const [dialect, rows] of await stored(callid, 2)) {
        expect(rows, `${dialect}: exactly the request and the reply`).toHaveLength(2);
        const [req, rep] = rows;
        expect(req, dialect).toEqual(expect.objectContaining(requestRow(callid, clientPort, sipPort, node)));
        expect(rep, dialect).toEqual(
          expect.objectContaining({
            method: '200',
            reply_reason: 'OK',
            ruri: '',
            ruri_user: '',
            ruri_domain: '',
            from_user: 'alice',
            from_domain: '[2001:db8::1]',
            from_tag: `from-${callid}`,
            to_user: 'bob',
            to_domain: '[::1]',
            to_tag: toTag,
            callid,
            cseq: '7 OPTIONS',
            via_1_branch: `z9hG4bK-${callid}`,
            source_ip: '127.0.0.1',
            source_port: sipPort,
            destination_ip: '127.0.0.1',
            destination_port: clientPort,
            proto: 1,
            family: 2,
            type: 2,
            node,
            msg: reply.toString('latin1'),
          }),
        );
        // v1 has no time: the agent's clock on receipt; v2/v3: Kamailio's, taken while it handled the message.
        expectTime(req, t0 - 1000n, t1 + 5_000_000n, `${dialect} request`);
        expectTime(rep, t0 - 1000n, t1 + 5_000_000n, `${dialect} reply`);
      }
    }, 180_000);
  }
});

/** A classic pcap (Ethernet) of IPv4/UDP SIP frames with the given capture times. */
function pcapFile(frames: { tsUs: bigint; src: string; dst: string; sport: number; dport: number; sip: string }[]): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  const parts: Buffer[] = [head];
  for (const f of frames) {
    const udp = testing.udpDatagram({ src: f.src, dst: f.dst, srcPort: f.sport, dstPort: f.dport, payload: Buffer.from(f.sip, 'latin1') });
    const frame = testing.ethernetFrame({ payload: testing.ipPacket({ src: f.src, dst: f.dst, protocol: 17, payload: udp }) });
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Number(f.tsUs / 1_000_000n), 0);
    rec.writeUInt32LE(Number(f.tsUs % 1_000_000n), 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
  }
  return Buffer.concat(parts);
}

/** An INVITE and its 200 OK between two IPv4 hosts on port 5060, with bracketed IPv6 hosts in the URIs. */
function call(callid: string, a: string, b: string, t0: bigint) {
  const invite = [
    'INVITE sip:bob@[2001:db8::b]:5060 SIP/2.0',
    `Via: SIP/2.0/UDP ${a}:5060;branch=z9hG4bK-${callid}`,
    `From: <sip:alice@[2001:db8::a]>;tag=fa-${callid}`,
    'To: <sip:bob@[2001:db8::b]>',
    `Call-ID: ${callid}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:alice@[2001:db8::a]:5062>`,
    'Max-Forwards: 70',
    'User-Agent: pcap-ua',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const ok = [
    'SIP/2.0 200 OK',
    `Via: SIP/2.0/UDP ${a}:5060;branch=z9hG4bK-${callid}`,
    `From: <sip:alice@[2001:db8::a]>;tag=fa-${callid}`,
    `To: <sip:bob@[2001:db8::b]>;tag=tb-${callid}`,
    `Call-ID: ${callid}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:bob@[2001:db8::b]>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return [
    { tsUs: t0, src: a, dst: b, sport: 5060, dport: 5060, sip: invite },
    { tsUs: t0 + 20_123n, src: b, dst: a, sport: 5060, dport: 5060, sip: ok },
  ];
}

/** The expected rows of call(): all columns. */
function callRows(callid: string, a: string, b: string, t0: bigint, node: string): Partial<Row>[] {
  const [inv, ok] = call(callid, a, b, t0);
  const common = {
    callid,
    cseq: '1 INVITE',
    from_user: 'alice',
    from_domain: '[2001:db8::a]',
    from_tag: `fa-${callid}`,
    to_user: 'bob',
    to_domain: '[2001:db8::b]',
    via_1: `SIP/2.0/UDP ${a}:5060;branch=z9hG4bK-${callid}`,
    via_1_branch: `z9hG4bK-${callid}`,
    proto: 1,
    family: 2,
    node,
  };
  return [
    {
      ...common,
      method: 'INVITE',
      reply_reason: '',
      ruri: 'sip:bob@[2001:db8::b]:5060',
      ruri_user: 'bob',
      ruri_domain: '[2001:db8::b]',
      to_tag: '',
      contact_user: 'alice',
      contact_ip: '[2001:db8::a]',
      contact_port: 5062,
      user_agent: 'pcap-ua',
      source_ip: a,
      source_port: 5060,
      destination_ip: b,
      destination_port: 5060,
      type: 1,
      micro_ts: String(inv.tsUs),
      msg: inv.sip,
    },
    {
      ...common,
      method: '200',
      reply_reason: 'OK',
      ruri: '',
      ruri_user: '',
      ruri_domain: '',
      to_tag: `tb-${callid}`,
      contact_user: 'bob',
      contact_ip: '[2001:db8::b]',
      contact_port: 0,
      user_agent: '',
      source_ip: b,
      source_port: 5060,
      destination_ip: a,
      destination_port: 5060,
      type: 2,
      micro_ts: String(ok.tsUs),
      msg: ok.sip,
    },
  ];
}

async function checkCall(callid: string, a: string, b: string, t0: bigint, node: string): Promise<void> {
  const want = callRows(callid, a, b, t0, node);
  for (const [dialect, rows] of await stored(callid, 2)) {
    expect(rows, `${dialect}: the INVITE and the 200 OK, once each`).toHaveLength(2);
    expect(rows[0], `${dialect} INVITE`).toEqual(expect.objectContaining(want[0]));
    expect(rows[1], `${dialect} 200 OK`).toEqual(expect.objectContaining(want[1]));
  }
}

function writePcap(name: string, frames: Parameters<typeof pcapFile>[0]): string {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcapFile(frames));
  return file;
}

/** A fresh pair of documentation-range IPv4 addresses per call. */
let hostSeq = Math.floor(Math.random() * 200);
function hosts(): [string, string] {
  hostSeq = (hostSeq + 1) % 250;
  return [`198.51.100.${hostSeq + 1}`, `203.0.113.${hostSeq + 1}`];
}

describe('sngrep (reading a pcap, sending HEP)', () => {
  // sngrep 1.6.0 writes its capture id (eep.send.id, default 2002) as htons(id) into the 32-bit chunk 12, so
  // the wire holds 2002 << 16; Kamailio's sipcapture reads it with ntohl as we do: node `<CAPTURE_NODE>:131203072`.
  it('HEP v3 (its default, -H udp:host:port): both messages with the pcap times, capture id as on the wire', async () => {
    const callid = uniqueName('sngrep-v3');
    const [a, b] = hosts();
    const t0 = 1_764_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e6)) * 1000n;
    const pcap = writePcap('sngrep-v3', call(callid, a, b, t0));
    await run('sngrep', ['-F', '-I', pcap, '-H', `udp:127.0.0.1:${hepPort}`, '-N', '-q'], { timeout: 60_000 });
    await checkCall(callid, a, b, t0, `${CAPTURE_NODE}:${2002 * 65536}`);
  }, 180_000);

  it('HEP v2 (eep.send.version 2; its length byte is the high byte of the datagram length, 1 for this INVITE): both messages with the pcap times', async () => {
    const callid = uniqueName('sngrep-v2');
    const [a, b] = hosts();
    const t0 = 1_764_000_100_000_000n + BigInt(Math.floor(Math.random() * 1e6)) * 1000n;
    const pcap = writePcap('sngrep-v2', call(callid, a, b, t0));
    const cfg = join(dir, 'sngrep-v2.conf');
    // The version and id from a config file; the address from -H (sngrep 1.6.0 sends nothing when
    // eep.send.address/port come from the file alone).
    writeFileSync(cfg, 'set eep.send.version 2\nset eep.send.id 2111\n');
    await run('sngrep', ['-f', cfg, '-I', pcap, '-H', `udp:127.0.0.1:${hepPort}`, '-N', '-q'], { timeout: 60_000 });
    await checkCall(callid, a, b, t0, `${CAPTURE_NODE}:2111`);
  }, 180_000);
});

// sipgrep 2.1.0 writes its capture id 101 the same way as sngrep: 101 << 16 on the wire.
const SIPGREP_NODE = `${CAPTURE_NODE}:${101 * 65536}`;

describe('sipgrep (reading a pcap, sending HEP)', () => {
  it('HEP v3 (-H udp:host:port): both messages with the pcap times', async () => {
    const callid = uniqueName('sipgrep');
    const [a, b] = hosts();
    const t0 = 1_764_000_200_000_000n + BigInt(Math.floor(Math.random() * 1e6)) * 1000n;
    const pcap = writePcap('sipgrep', call(callid, a, b, t0));
    await run('sipgrep', ['-I', pcap, '-H', `udp:127.0.0.1:${hepPort}`, '-C'], { timeout: 60_000 });
    await checkCall(callid, a, b, t0, SIPGREP_NODE);
  }, 180_000);
});

describe('hep-js (npm)', () => {
  it('HEP v3 from encapsulate(): both messages as given', async () => {
    const callid = uniqueName('hepjs');
    const [a, b] = hosts();
    const t0 = 1_764_000_300_000_000n + BigInt(Math.floor(Math.random() * 1e6)) * 1000n;
    const s = await udpSocket();
    for (const m of call(callid, a, b, t0)) {
      // The field names hep-js's encapsulate() reads (its README's example uses other names, which it ignores).
      const packet = hepJs.encapsulate(m.sip, {
        protocolFamily: 2,
        protocol: 17,
        payloadType: 1,
        captureId: 2444,
        hepNodeName: 'hepjs-node',
        timeSeconds: Number(m.tsUs / 1_000_000n),
        timeUseconds: Number(m.tsUs % 1_000_000n),
        srcIp: m.src,
        dstIp: m.dst,
        srcPort: m.sport,
        dstPort: m.dport,
      });
      await new Promise<void>((resolve, reject) => s.send(packet, hepPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    }
    s.close();
    await checkCall(callid, a, b, t0, `${CAPTURE_NODE}:2444`);
  }, 180_000);
});

/**
 * The same HEP v2 datagrams from Kamailio siptrace, given to both our hep-agent and Kamailio's own sipcapture
 * (db_postgres, writing into a sip_capture table made by `sipcap db init`, whose columns are Kamailio's): a relay
 * copies each datagram to both. Every column is compared, except those listed in README ("Differences from
 * Kamailio sipcapture"), each checked for what it is instead.
 */
describe.each(['postgres', 'mysql'] as const)('Kamailio sipcapture versus sipcap (%s): the HEP v2 rows from siptrace', (dialect) => {
  it('stores the request and the reply as Kamailio sipcapture does, column by column', async () => {
    const kdb = await new TestDb(dialect).create();
    kamailioDbs.push(kdb);
    await run(process.execPath, ['dist/apps/cli/main.js', 'db', 'init', '--skip-kafka'], {
      env: { ...process.env, DB_URL: kdb.url },
      timeout: 120_000,
    });
    const capturePort = await freeTcpUdpPort();
    const sc = await startKamailio(
      `#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:${capturePort}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "pv.so"
loadmodule "db_${dialect}.so"
loadmodule "sipcapture.so"
modparam("sipcapture", "db_url", "${kdb.url.replace(':5432', '').replace(':3306', '')}")
modparam("sipcapture", "capture_on", 1)
modparam("sipcapture", "hep_capture_on", 1)
modparam("sipcapture", "capture_node", "${CAPTURE_NODE}")
request_route { sip_capture(); drop; }
onreply_route { sip_capture(); drop; }
`,
      'sipcapture',
    );
    kamailios.push(sc);
    const relay = await udpSocket();
    relay.on('message', (m) => {
      relay.send(m, hepPort, '127.0.0.1');
      relay.send(m, capturePort, '127.0.0.1');
    });
    const sipPort = await freeTcpUdpPort();
    const captureId = 4000 + Math.floor(Math.random() * 900);
    const k = await startKamailio(
      siptraceConfig({ sipPort, hepPort: relay.address().port, hepVersion: 2, captureId }),
      'siptrace-v2-compare',
    );
    kamailios.push(k);
    const s = await udpSocket();
    const clientPort = s.address().port;
    await waitFor(
      'kamailio answering',
      async () =>
        exchange(s, optionsRequest(uniqueName('probe'), clientPort, sipPort), sipPort, 1000).then(
          () => true,
          () => undefined,
        ),
      60_000,
      200,
    );
    const callid = uniqueName('kcompare');
    await exchange(s, optionsRequest(callid, clientPort, sipPort), sipPort, 10_000);
    s.close();

    const all = async (db: TestDb) =>
      db.query<Record<string, unknown>>(`SELECT * FROM sip_capture WHERE callid = '${callid}' ORDER BY type, micro_ts`).catch(() => []);
    const theirs = await waitFor(
      '2 rows from Kamailio sipcapture',
      async () => ((await all(kdb)).length >= 2 ? all(kdb) : undefined),
      90_000,
      250,
    ).catch((e: Error) =>
      Promise.reject(
        new Error(
          `${e.message}\nkamailio sipcapture log:\n${sc
            .output()
            .split('\n')
            .filter((l) => /ERROR|WARN/.test(l))
            .slice(0, 20)
            .join('\n')}`,
        ),
      ),
    );
    const ours = (await stored(callid, 2)).get(dialect)!;
    expect(ours).toHaveLength(2);
    const oursAll = await all(dbs.find((d) => d.dialect === dialect)!);
    expect(theirs).toHaveLength(2);
    relay.close();

    for (let i = 0; i < 2; i++) {
      const a = oursAll[i];
      const b = theirs[i];
      const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v instanceof Date ? v.toISOString() : String(v ?? ''));
      // Intended differences (README, "Differences from Kamailio sipcapture"): id (each database its own),
      // date and msg (checked below). Every other column is equal, correlation_id included (both the Call-ID).
      const skip = new Set(['id']);
      // date: Kamailio writes whole seconds, sipcap the milliseconds of micro_ts (both from the same micro_ts).
      expect(Math.floor(new Date(text(a.date)).getTime() / 1000), `row ${i} date`).toBe(new Date(text(b.date)).getTime() / 1000);
      // msg: Kamailio's db_postgres escapes the message for a text column (its own schema's type), so in a bytea
      // column it lands as the text `\x<hex>`; sipcap stores the message's bytes. Same message once decoded.
      // (MariaDB: both store the bytes; compared with the rest.)
      if (dialect === 'postgres') {
        const theirMsg = text(b.msg);
        expect(theirMsg.startsWith('\\x'), `row ${i} Kamailio msg is hex text`).toBe(true);
        expect(text(a.msg), `row ${i} msg`).toBe(Buffer.from(theirMsg.slice(2), 'hex').toString('latin1'));
        skip.add('msg');
      }
      skip.add('date');
      const diff: string[] = [];
      for (const col of Object.keys(b)) {
        if (skip.has(col)) continue;
        if (text(a[col]) !== text(b[col]))
          diff.push(`${col}: sipcap ${JSON.stringify(text(a[col]))} kamailio ${JSON.stringify(text(b[col]))}`);
      }
      expect(diff, `row ${i}`).toEqual([]);
      expect(text(a.correlation_id)).toBe(callid);
      expect(text(a.ruri_domain) + text(a.contact_ip)).toBe(i === 0 ? '[::1][2001:db8::1]' : ''); // the brackets, in both
    }
  }, 240_000);
});
