// db-writer on the real Kafka and both real databases: HEP in through a running hep-agent, rows out
// with every column as the reference says; and the no-loss, no-duplicate promises under a database
// outage, kill -9, writers leaving the group, and poisoned records.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHep3 } from '@sipcap/hep';
import { COLUMNS, encodeRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { buildApp, startAgent, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep, udpClient } from './support/apps';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { PrivatePostgres } from './support/private-postgres';
import { Feeder, readRaw, startWriter, TestDb, type Dialect } from './support/writer-fixtures';

const run = promisify(execFile);
const CLI = 'dist/apps/cli/main.js';

const processes: AgentProcess[] = [];
const databases: TestDb[] = [];
const feeders: Feeder[] = [];

function track(p: AgentProcess): AgentProcess {
  processes.push(p);
  return p;
}

async function database(dialect: Dialect, server?: string): Promise<TestDb> {
  const db = new TestDb(dialect, server);
  databases.push(db);
  return db.create();
}

function feeder(topic: string): Feeder {
  const f = new Feeder(topic);
  feeders.push(f);
  return f;
}

/** Starts a writer and waits until it consumes. */
async function writer(db: TestDb, topic: string, group: string, extra: Record<string, string> = {}): Promise<AgentProcess> {
  const w = track(startWriter(db, topic, group, extra));
  await w.waitForLog('telemetry listening', 60_000);
  return w;
}

/** Waits until the table holds `n` rows, failing at once if a writer in `alive` exits. */
async function waitForRows(
  db: TestDb,
  n: number,
  timeoutMs: number,
  alive: AgentProcess[] = [],
): Promise<{ rows: number; callids: number }> {
  let last = { rows: 0, callids: 0 };
  await waitFor(
    `${n} rows in ${db.dialect} (last: ${JSON.stringify(last)})`,
    async () => {
      for (const w of alive)
        if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`a writer exited:\n${w.output().slice(-3000)}`);
      last = await db.counts();
      return last.rows >= n ? true : undefined;
    },
    timeoutMs,
    250,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last count ${JSON.stringify(last)}`);
  });
  await sleep(500); // a duplicate would show up now
  return db.counts();
}

/** Stops a writer gracefully and expects a clean exit. */
async function stopCleanly(w: AgentProcess): Promise<void> {
  const exit = await w.stop();
  expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
}

beforeAll(() => {
  buildApp('db-writer');
  buildApp('hep-agent');
  buildApp('cli');
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const f of feeders) await f.stop().catch(() => undefined);
  for (const db of databases) await db.drop().catch(() => undefined);
});

// ---------------------------------------------------------------------------------------------------
// (a) HEP in, every column out
// ---------------------------------------------------------------------------------------------------

/** Every column but msg, as the reference derives it. Typed so that no column can be left out. */
type Columns = Omit<CaptureRecord, 'msg'>;

const EMPTY: Omit<Columns, 'micro_ts' | 'callid' | 'correlation_id'> = {
  method: '',
  reply_reason: '',
  ruri: '',
  ruri_user: '',
  ruri_domain: '',
  from_user: '',
  from_domain: '',
  from_tag: '',
  to_user: '',
  to_domain: '',
  to_tag: '',
  pid_user: '',
  contact_user: '',
  auth_user: '',
  callid_aleg: '',
  via_1: '',
  via_1_branch: '',
  cseq: '',
  diversion: '',
  reason: '',
  content_type: '',
  auth: '',
  user_agent: '',
  source_ip: '',
  source_port: 0,
  destination_ip: '',
  destination_port: 0,
  contact_ip: '',
  contact_port: 0,
  originator_ip: '',
  originator_port: 0,
  expires: -1,
  custom_field1: '',
  custom_field2: '',
  custom_field3: '',
  proto: 1,
  family: 2,
  rtp_stat: '',
  type: 1,
  node: 'homer01',
};

/** 2025-01-15 10:00:00 UTC in microseconds: T0 of samples/sample-calls.pcap (scripts/make-sample-pcap.ts). */
const T0 = 1_736_935_200_000_000n;
const at = (msFromT0: number) => T0 + BigInt(Math.round(msFromT0 * 1000));

/** Rows of the replayed sample capture whose every column is checked (the capture holds 20 SIP messages). */
const PCAP_ROWS: { name: string; where: { callid: string; cseq: string; method: string }; expect: Columns }[] = [
  {
    name: 'REGISTER with digest credentials',
    where: { callid: '5f0c2a1d7e9b4c3a@192.168.10.23', cseq: '2 REGISTER', method: 'REGISTER' },
    expect: {
      ...EMPTY,
      micro_ts: at(41.7),
      method: 'REGISTER',
      ruri: 'sip:pbx.example.com',
      ruri_domain: 'pbx.example.com',
      from_user: 'erin',
      from_domain: 'pbx.example.com',
      from_tag: '9fxced76sl',
      to_user: 'erin',
      to_domain: 'pbx.example.com',
      contact_user: 'erin',
      contact_ip: '192.168.10.23',
      contact_port: 5060,
      auth_user: 'erin',
      auth: 'Digest username="erin", realm="pbx.example.com", nonce="6790a8f2:3b1c5e0a9d4f", uri="sip:pbx.example.com", response="0a4f113b8e2d6c5a9f7e1d3c2b4a6978", algorithm=MD5',
      callid: '5f0c2a1d7e9b4c3a@192.168.10.23',
      correlation_id: '5f0c2a1d7e9b4c3a@192.168.10.23',
      via_1: 'SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-2-51fe;rport',
      via_1_branch: 'z9hG4bK-reg-2-51fe',
      cseq: '2 REGISTER',
      user_agent: 'Yealink SIP-T46U 108.86.0.45',
      source_ip: '192.168.10.23',
      source_port: 5060,
      destination_ip: '10.0.0.5',
      destination_port: 5060,
      expires: 3600,
      node: 'homer01:2001',
    },
  },
  {
    name: '200 OK to the REGISTER (a reply; expires from the Contact parameter; Server is not the user agent)',
    where: { callid: '5f0c2a1d7e9b4c3a@192.168.10.23', cseq: '2 REGISTER', method: '200' },
    expect: {
      ...EMPTY,
      micro_ts: at(46.9),
      method: '200',
      reply_reason: 'OK',
      from_user: 'erin',
      from_domain: 'pbx.example.com',
      from_tag: '9fxced76sl',
      to_user: 'erin',
      to_domain: 'pbx.example.com',
      to_tag: 'as3e1f0b21',
      contact_user: 'erin',
      contact_ip: '192.168.10.23',
      contact_port: 5060,
      callid: '5f0c2a1d7e9b4c3a@192.168.10.23',
      correlation_id: '5f0c2a1d7e9b4c3a@192.168.10.23',
      via_1: 'SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-2-51fe;rport=5060;received=192.168.10.23',
      via_1_branch: 'z9hG4bK-reg-2-51fe',
      cseq: '2 REGISTER',
      source_ip: '10.0.0.5',
      source_port: 5060,
      destination_ip: '192.168.10.23',
      destination_port: 5060,
      expires: 3600,
      type: 2,
      node: 'homer01:2001',
    },
  },
  {
    name: 'INVITE over UDP with SDP and P-Preferred-Identity',
    where: { callid: 'a84b4c76e66710@192.168.10.21', cseq: '314159 INVITE', method: 'INVITE' },
    expect: {
      ...EMPTY,
      micro_ts: at(2000),
      method: 'INVITE',
      ruri: 'sip:bob@pbx.example.com',
      ruri_user: 'bob',
      ruri_domain: 'pbx.example.com',
      from_user: 'alice',
      from_domain: 'pbx.example.com',
      from_tag: '1928301774',
      to_user: 'bob',
      to_domain: 'pbx.example.com',
      pid_user: 'alice',
      contact_user: 'alice',
      contact_ip: '192.168.10.21',
      contact_port: 5060,
      callid: 'a84b4c76e66710@192.168.10.21',
      correlation_id: 'a84b4c76e66710@192.168.10.21',
      via_1: 'SIP/2.0/UDP 192.168.10.21:5060;branch=z9hG4bK776asdhds;rport',
      via_1_branch: 'z9hG4bK776asdhds',
      cseq: '314159 INVITE',
      content_type: 'application/sdp',
      user_agent: 'Linphone/5.2.5 (belle-sip/5.2.94)',
      source_ip: '192.168.10.21',
      source_port: 5060,
      destination_ip: '10.0.0.5',
      destination_port: 5060,
      node: 'homer01:2001',
    },
  },
  {
    name: 'INVITE over TCP, split over two segments, with X-CID',
    where: { callid: '3848276298220188511@192.168.10.22', cseq: '1 INVITE', method: 'INVITE' },
    expect: {
      ...EMPTY,
      micro_ts: at(9001.3),
      method: 'INVITE',
      ruri: 'sip:dave@pbx.example.com;transport=tcp',
      ruri_user: 'dave',
      ruri_domain: 'pbx.example.com',
      from_user: 'carol',
      from_domain: 'pbx.example.com',
      from_tag: '8321234356',
      to_user: 'dave',
      to_domain: 'pbx.example.com',
      contact_user: 'carol',
      contact_ip: '192.168.10.22',
      contact_port: 49722,
      callid: '3848276298220188511@192.168.10.22',
      callid_aleg: '3848276298220188511@192.168.10.22',
      correlation_id: '3848276298220188511@192.168.10.22',
      via_1: 'SIP/2.0/TCP 192.168.10.22:49722;branch=z9hG4bK-d8754z-c2f1;rport',
      via_1_branch: 'z9hG4bK-d8754z-c2f1',
      cseq: '1 INVITE',
      content_type: 'application/sdp',
      user_agent: 'Zoiper rv2.10.20.2',
      source_ip: '192.168.10.22',
      source_port: 49722,
      destination_ip: '10.0.0.5',
      destination_port: 5060,
      proto: 2,
      node: 'homer01:2001',
    },
  },
];

const SDP = 'v=0\r\no=alice 1 1 IN IP6 2001:db8::a\r\ns=-\r\nc=IN IP6 2001:db8::a\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\na=sendrecv\r\n';
const HOSTILE_CUSTOM = `it's "quoted" \\back\\slash\\N \\. '; DROP TABLE sip_capture; --`;
const LONG_UA = 'UA-' + 'x'.repeat(297);

/** Hand-built HEP3 messages with every interesting header, and the columns the reference gives them. */
const HEP_ROWS: { name: string; hep: Omit<Parameters<typeof encodeHep3>[0], 'payload'>; sip: Buffer; expect: Columns }[] = [
  {
    name: 'INVITE over IPv6: tel: R-URI, compact headers, P-Asserted-Identity, Diversion, X-CID, X-OIP, RTP stats, custom field, hostile values',
    hep: {
      srcIp: '2001:db8::a',
      dstIp: '2001:db8::b',
      srcPort: 5060,
      dstPort: 5080,
      ipProto: 17,
      tsSec: 1_736_935_300,
      tsUsec: 250_000,
      captureId: 2002,
      correlationId: 'corr-h1',
    },
    sip: Buffer.from(
      [
        'INVITE tel:+15551234567;phone-context=example.com SIP/2.0',
        'v: SIP/2.0/UDP [2001:db8::a]:5060;branch=z9hG4bK-h1;rport, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-second',
        'Max-Forwards: 70',
        'f: "Alice" <sip:alice@example.com>;tag=h1-from',
        't: <tel:+15551234567>',
        'i: h1-callid@example.com',
        'CSeq: 10 INVITE',
        'm: <sip:alice@[2001:db8::a]:5070;transport=udp>',
        'P-Asserted-Identity: "Alice" <sip:+15550001@example.com>, <tel:+15550002>',
        'Diversion: <sip:+15559999@example.com>;reason=unconditional;counter=1',
        'X-CID: aleg-h1@b2bua.example.com',
        'X-OIP: 203.0.113.9:5080',
        'X-RTP-Stat: PS=100,OS=16000,PR=98,OR=15680',
        `X-Custom-1: ${HOSTILE_CUSTOM}`,
        `User-Agent: Soft"phone\\ 1.0 'x' Zoë ☎`,
        'c: application/sdp',
        `l: ${Buffer.byteLength(SDP)}`,
        '',
        SDP,
      ].join('\r\n'),
    ),
    expect: {
      ...EMPTY,
      micro_ts: 1_736_935_300_250_000n,
      method: 'INVITE',
      ruri: 'tel:+15551234567;phone-context=example.com',
      ruri_user: '+15551234567',
      from_user: 'alice',
      from_domain: 'example.com',
      from_tag: 'h1-from',
      to_user: '+15551234567',
      pid_user: '+15550001',
      contact_user: 'alice',
      contact_ip: '[2001:db8::a]',
      contact_port: 5070,
      callid: 'h1-callid@example.com',
      callid_aleg: 'aleg-h1@b2bua.example.com',
      via_1: 'SIP/2.0/UDP [2001:db8::a]:5060;branch=z9hG4bK-h1;rport, SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-second',
      via_1_branch: 'z9hG4bK-h1',
      cseq: '10 INVITE',
      diversion: '<sip:+15559999@example.com>;reason=unconditional;counter=1',
      content_type: 'application/sdp',
      user_agent: `Soft"phone\\ 1.0 'x' Zoë ☎`,
      source_ip: '2001:db8::a',
      source_port: 5060,
      destination_ip: '2001:db8::b',
      destination_port: 5080,
      originator_ip: '203.0.113.9',
      originator_port: 5080,
      correlation_id: 'corr-h1',
      custom_field1: HOSTILE_CUSTOM,
      family: 10,
      rtp_stat: 'PS=100,OS=16000,PR=98,OR=15680',
      node: 'homer01:2002',
    },
  },
  {
    name: '486 reply over TCP with Reason, a sips: To and a User-Agent (Server ignored)',
    hep: { srcIp: '192.0.2.2', dstIp: '192.0.2.1', srcPort: 5061, dstPort: 5060, ipProto: 6, tsSec: 1_736_935_301, tsUsec: 1 },
    sip: Buffer.from(
      [
        'SIP/2.0 486 Busy Here',
        'Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-h2;received=192.0.2.1',
        'From: <sip:alice@example.com>;tag=h2-from',
        'To: "Bob" <sips:bob@biloxi.example.com:5061>;tag=h2-to',
        'Call-ID: h2-callid@example.com',
        'CSeq: 11 INVITE',
        'Reason: SIP;cause=486;text="Busy Here"',
        'Server: ignored/1.0',
        'User-Agent: PBX/2.0',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
    expect: {
      ...EMPTY,
      micro_ts: 1_736_935_301_000_001n,
      method: '486',
      reply_reason: 'Busy Here',
      from_user: 'alice',
      from_domain: 'example.com',
      from_tag: 'h2-from',
      to_user: 'bob',
      to_domain: 'biloxi.example.com',
      to_tag: 'h2-to',
      callid: 'h2-callid@example.com',
      correlation_id: 'h2-callid@example.com',
      via_1: 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-h2;received=192.0.2.1',
      via_1_branch: 'z9hG4bK-h2',
      cseq: '11 INVITE',
      reason: 'SIP;cause=486;text="Busy Here"',
      user_agent: 'PBX/2.0',
      source_ip: '192.0.2.2',
      source_port: 5061,
      destination_ip: '192.0.2.1',
      destination_port: 5060,
      proto: 2,
      type: 2,
    },
  },
  {
    name: 'REGISTER with Proxy-Authorization and Authorization, Contact expires, a User-Agent beyond its column',
    hep: {
      srcIp: '192.0.2.7',
      dstIp: '192.0.2.1',
      srcPort: 5062,
      dstPort: 5060,
      ipProto: 17,
      tsSec: 1_736_935_302,
      tsUsec: 999_999,
      captureId: 9,
    },
    sip: Buffer.from(
      [
        'REGISTER sip:example.com SIP/2.0',
        'Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK-h3',
        'From: <sip:carol@example.com>;tag=h3-from',
        'To: <sip:carol@example.com>',
        'Call-ID: h3-callid@example.com',
        'CSeq: 3 REGISTER',
        'Contact: <sip:carol@192.0.2.7:5062>;expires=600',
        'Proxy-Authorization: Digest username="carol@example.com", realm="example.com", nonce="n3", uri="sip:example.com", response="r3"',
        'Authorization: Digest username="other", realm="x", nonce="n", uri="sip:example.com", response="r"',
        `User-Agent: ${LONG_UA}`,
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    ),
    expect: {
      ...EMPTY,
      micro_ts: 1_736_935_302_999_999n,
      method: 'REGISTER',
      ruri: 'sip:example.com',
      ruri_domain: 'example.com',
      from_user: 'carol',
      from_domain: 'example.com',
      from_tag: 'h3-from',
      to_user: 'carol',
      to_domain: 'example.com',
      contact_user: 'carol',
      contact_ip: '192.0.2.7',
      contact_port: 5062,
      auth_user: 'carol',
      auth: 'Digest username="carol@example.com", realm="example.com", nonce="n3", uri="sip:example.com", response="r3"',
      callid: 'h3-callid@example.com',
      correlation_id: 'h3-callid@example.com',
      via_1: 'SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK-h3',
      via_1_branch: 'z9hG4bK-h3',
      cseq: '3 REGISTER',
      user_agent: LONG_UA.slice(0, 256),
      source_ip: '192.0.2.7',
      source_port: 5062,
      destination_ip: '192.0.2.1',
      destination_port: 5060,
      expires: 600,
      node: 'homer01:9',
    },
  },
  {
    name: 'MESSAGE with a body that is not UTF-8 (NUL, 0xff): msg keeps the exact bytes',
    hep: { srcIp: '192.0.2.8', dstIp: '192.0.2.1', srcPort: 5063, dstPort: 5060, ipProto: 17, tsSec: 1_736_935_303, tsUsec: 0 },
    sip: Buffer.concat([
      Buffer.from(
        'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.8:5063;branch=z9hG4bK-h4\r\nFrom: <sip:dan@example.com>;tag=h4\r\n' +
          'To: <sip:bob@example.com>\r\nCall-ID: h4-callid@example.com\r\nCSeq: 1 MESSAGE\r\nContent-Type: application/octet-stream\r\nContent-Length: 8\r\n\r\n',
      ),
      Buffer.from([0x00, 0xff, 0xfe, 0x5c, 0x4e, 0x0a, 0xc3, 0x28]),
    ]),
    expect: {
      ...EMPTY,
      micro_ts: 1_736_935_303_000_000n,
      method: 'MESSAGE',
      ruri: 'sip:bob@example.com',
      ruri_user: 'bob',
      ruri_domain: 'example.com',
      from_user: 'dan',
      from_domain: 'example.com',
      from_tag: 'h4',
      to_user: 'bob',
      to_domain: 'example.com',
      callid: 'h4-callid@example.com',
      correlation_id: 'h4-callid@example.com',
      via_1: 'SIP/2.0/UDP 192.0.2.8:5063;branch=z9hG4bK-h4',
      via_1_branch: 'z9hG4bK-h4',
      cseq: '1 MESSAGE',
      content_type: 'application/octet-stream',
      source_ip: '192.0.2.8',
      source_port: 5063,
      destination_ip: '192.0.2.1',
      destination_port: 5060,
    },
  },
];

/** The `date` column as the database prints it: UTC, microseconds in PostgreSQL, whole seconds (truncated) in MySQL. */
function dateText(microTs: bigint, dialect: Dialect): string {
  const base = new Date(Number(microTs / 1000n)).toISOString().slice(0, 19).replace('T', ' ');
  if (dialect === 'mysql') return base;
  const frac = (microTs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac ? `${base}.${frac}` : base;
}

function expectedText(c: Columns, dialect: Dialect): Record<string, string> {
  const out: Record<string, string> = { date: dateText(c.micro_ts, dialect) };
  for (const col of COLUMNS) if (col !== 'msg') out[col] = String(c[col]);
  return out;
}

/** Every column as text, and the exact msg bytes, of the rows matching `where`. */
async function rowsWhere(db: TestDb, where: Record<string, string>): Promise<{ text: Record<string, string>; msg: Buffer }[]> {
  const cols = ['date', ...COLUMNS.filter((c) => c !== 'msg')];
  const keys = Object.keys(where);
  if (db.dialect === 'postgres') {
    const sel = cols.map((c) => `"${c}"::text AS "${c}"`).join(', ');
    const cond = keys.map((k, i) => `"${k}" = $${i + 1}`).join(' AND ');
    const rows = await db.query<Record<string, unknown>>(
      `SELECT ${sel}, coalesce(msg_raw, convert_to(msg, 'UTF8')) AS msg_bytes FROM sip_capture WHERE ${cond} ORDER BY id`,
      keys.map((k) => where[k]),
    );
    return rows.map((r) => ({ text: Object.fromEntries(cols.map((c) => [c, r[c] as string])), msg: r.msg_bytes as Buffer }));
  }
  const sel = cols.map((c) => `CAST(\`${c}\` AS CHAR) AS \`${c}\``).join(', ');
  const cond = keys.map((k) => `\`${k}\` = ?`).join(' AND ');
  const rows = await db.query<Record<string, unknown>>(
    `SELECT ${sel}, msg FROM sip_capture WHERE ${cond} ORDER BY id`,
    keys.map((k) => where[k]),
  );
  return rows.map((r) => ({ text: Object.fromEntries(cols.map((c) => [c, r[c] as string])), msg: r.msg as Buffer }));
}

describe('(a) a running hep-agent to PostgreSQL and MariaDB: every column as the reference says', () => {
  const dbs: Partial<Record<Dialect, TestDb>> = {};
  let pcap: Buffer;

  beforeAll(async () => {
    pcap = readFileSync('samples/sample-calls.pcap');
    const topic = await freshTopic(6, 'writer-e2e');
    const port = await freeTcpUdpPort();
    const agent = track(
      startAgent('hep-agent', {
        HEP_LISTEN: `127.0.0.1:${port}`,
        KAFKA_TOPIC: topic,
        CAPTURE_ON: '1',
        CAPTURE_FLAG_KEY: uniqueName('writer-e2e-flag'),
        CUSTOM_FIELD1_HEADER: 'X-Custom-1',
      }),
    );
    dbs.postgres = await database('postgres');
    dbs.mysql = await database('mysql');
    const writers = [writer(dbs.postgres, topic, uniqueName('g-pg')), writer(dbs.mysql, topic, uniqueName('g-my'))];
    await agent.waitForLog('telemetry listening');
    const ws = await Promise.all(writers);

    // The sample capture through the CLI, as HEP3 over TCP with a capture agent id.
    const replay = await run(process.execPath, [
      'dist/apps/cli/main.js',
      'replay',
      'samples/sample-calls.pcap',
      '--to',
      `127.0.0.1:${port}`,
      '--transport',
      'tcp',
      '--rate',
      '0',
      '--node-id',
      '2001',
      '--json',
    ]);
    expect(JSON.parse(replay.stdout)).toMatchObject({ messages: 20 });
    const udp = await udpClient(port);
    for (const m of HEP_ROWS) await udp.send(encodeHep3({ ...m.hep, payload: m.sip }));
    udp.close();

    const total = 20 + HEP_ROWS.length;
    for (const db of [dbs.postgres, dbs.mysql]) {
      const c = await waitForRows(db, total, 60_000, ws);
      expect(c).toEqual({ rows: total, callids: 4 + HEP_ROWS.length });
    }
  });

  for (const dialect of ['postgres', 'mysql'] as const) {
    for (const r of PCAP_ROWS) {
      it(`${dialect}: sample capture, ${r.name}`, async () => {
        const rows = await rowsWhere(dbs[dialect]!, r.where);
        expect(rows).toHaveLength(1);
        expect(rows[0].text).toEqual(expectedText(r.expect, dialect));
        const msg = rows[0].msg;
        // The bytes as captured: a UDP message is in the file as it is; the TCP INVITE in its two segments.
        if (r.expect.proto === 1) expect(pcap.indexOf(msg)).toBeGreaterThan(0);
        else {
          const half = Math.floor(msg.length / 2);
          expect(pcap.indexOf(msg.subarray(0, half))).toBeGreaterThan(0);
          expect(pcap.indexOf(msg.subarray(half))).toBeGreaterThan(0);
        }
      });
    }
    for (const r of HEP_ROWS) {
      it(`${dialect}: HEP3, ${r.name}`, async () => {
        const rows = await rowsWhere(dbs[dialect]!, { callid: r.expect.callid });
        expect(rows).toHaveLength(1);
        expect(rows[0].text).toEqual(expectedText(r.expect, dialect));
        expect(rows[0].msg.equals(r.sip)).toBe(true);
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// (b)-(f) no loss, no duplicates
// ---------------------------------------------------------------------------------------------------

const privateServers: PrivatePostgres[] = [];
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const s of privateServers) await s.destroy();
});

const killed = (w: AgentProcess) => w.child.exitCode !== null || w.child.signalCode !== null;

describe('(b) a PostgreSQL outage', () => {
  it('stores every record exactly once when the server is stopped for 20 s while records keep arriving', async () => {
    const server = new PrivatePostgres(await freeTcpUdpPort());
    privateServers.push(server);
    await server.init();
    await server.start();
    const db = await database('postgres', server.url);
    const topic = await freshTopic(6, 'writer-outage');
    const w = await writer(db, topic, uniqueName('g-outage'));
    const f = feeder(topic);
    const total = 20_000;
    let outage: Promise<void> | undefined;
    let before = { rows: 0, callids: 0 };
    let outageStart = 0;
    // 20,000 records over about 30 s; the server dies (immediate stop: in-flight transactions are cut) a
    // quarter of the way in and comes back 20 s later.
    await f.feed(uniqueName('outage'), total, total / 30, async (sent) => {
      if (!outage && sent >= total / 4) {
        before = await db.counts();
        await server.stop('immediate');
        outageStart = Date.now();
        outage = sleep(20_000).then(() => server.start());
      }
    });
    await outage;
    const down = Date.now() - outageStart;
    await f.flush();
    const after = await waitForRows(db, total, 90_000, [w]);
    expect(before.rows).toBeGreaterThan(0);
    expect(down).toBeGreaterThanOrEqual(20_000);
    expect(after).toEqual({ rows: total, callids: total });
    expect(await w.metric('sipcap_db_retries_total')).toBeGreaterThan(0);
    expect(await healthStatus(await w.metricsPort())).toBe(200);
    await stopCleanly(w);
  }, 180_000);
});

describe('(c) kill -9', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: a writer killed with SIGKILL in the middle of 50,000 records, then restarted, stores each exactly once`, async () => {
      const db = await database(dialect);
      const topic = await freshTopic(6, 'writer-kill');
      const group = uniqueName('g-kill');
      const total = 50_000;
      const w1 = await writer(db, topic, group);
      const f = feeder(topic);
      const fed = f.feed(uniqueName('kill'), total, 10_000);
      const mid = await waitForRows(db, total / 4, 60_000, [w1]);
      w1.child.kill('SIGKILL');
      expect((await w1.exited).signal).toBe('SIGKILL');
      const atKill = await db.counts();
      expect(atKill.rows).toBeGreaterThanOrEqual(mid.rows);
      expect(atKill.rows).toBeLessThan(total);
      const w2 = await writer(db, topic, group);
      await fed;
      await f.flush();
      expect(await waitForRows(db, total, 120_000, [w2])).toEqual({ rows: total, callids: total });
      await stopCleanly(w2);
    }, 240_000);
  }
});

describe('(d) three writers on six partitions', () => {
  it('store every record exactly once while one is stopped (SIGTERM) half-way and another killed (SIGKILL) at three quarters', async () => {
    const db = await database('postgres');
    const topic = await freshTopic(6, 'writer-group');
    const group = uniqueName('g-three');
    const ws = await Promise.all([writer(db, topic, group), writer(db, topic, group), writer(db, topic, group)]);
    // Every writer has partitions before the stream starts.
    await waitFor(
      'three group members with partitions',
      () => (ws.every((w) => w.output().includes('joined consumer group')) ? true : undefined),
      60_000,
    );
    const f = feeder(topic);
    const total = 30_000;
    let stopping: ReturnType<AgentProcess['stop']> | undefined;
    let killing = false;
    await f.feed(uniqueName('three'), total, 2_000, async () => {
      const { rows } = await db.counts();
      if (!stopping && rows >= total / 2) stopping = ws[0].stop(); // SIGTERM: flush, commit, leave the group
      if (!killing && rows >= (total * 3) / 4) {
        killing = true;
        ws[1].child.kill('SIGKILL');
      }
    });
    await f.flush();
    expect(stopping, 'the first writer was stopped mid-stream').toBeDefined();
    expect(await stopping, ws[0].output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(await waitForRows(db, total, 150_000, [ws[2]])).toEqual({ rows: total, callids: total });
    expect(killing).toBe(true);
    expect(killed(ws[1])).toBe(true);
    // The survivor took the others' partitions over: it joined the group again after the departures.
    expect(await ws[2].metric('sipcap_kafka_rebalances_total')).toBeGreaterThanOrEqual(2);
    expect(await ws[2].metric('sipcap_db_rows_inserted_total')).toBeGreaterThan(0);
    await stopCleanly(ws[2]);
  }, 240_000);
});

describe('(e) poisoned records', () => {
  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: a row the database refuses and an undecodable message go to the dead-letter topic; the rest are stored`, async () => {
      const db = await database(dialect);
      const topic = await freshTopic(3, 'writer-poison');
      const w = await writer(db, topic, uniqueName('g-poison'));
      await db.query(`ALTER TABLE sip_capture ADD CONSTRAINT no_poison CHECK (callid <> 'poison')`);
      const f = feeder(topic);
      const run = uniqueName('poison');
      const poison = sampleRecord({ callid: 'poison', micro_ts: BigInt(Date.now()) * 1000n });
      const garbage = Buffer.from('not a capture record \x00\xff');
      for (let i = 0; i < 1000; i++) {
        if (i === 300) f.publishRecord(poison);
        else if (i === 600) f.publish('garbage', garbage);
        else f.publishRecord({ ...poison, callid: `${run}-${i}`, correlation_id: `${run}-${i}` });
      }
      await f.flush();
      expect(await waitForRows(db, 998, 60_000, [w])).toEqual({ rows: 998, callids: 998 });
      expect(await db.query(`SELECT id FROM sip_capture WHERE callid = 'poison'`)).toEqual([]);

      const dlq = await readRaw(`${topic}-dlq`);
      try {
        await waitFor('two dead letters', () => (dlq.messages.length >= 2 ? true : undefined), 30_000);
        await sleep(300);
        expect(dlq.messages).toHaveLength(2);
        // The poisoned record is keyed by its Call-ID; the undecodable one has no Call-ID to give.
        const poisonLetter = dlq.messages.find((m) => m.key?.toString() === 'poison')!;
        const garbageLetter = dlq.messages.find((m) => m !== poisonLetter)!;
        const header = (m: typeof poisonLetter, name: string) => m.headers![name]!.toString();
        expect(poisonLetter.value!.equals(encodeRecord(poison))).toBe(true);
        expect(header(poisonLetter, 'sipcap-error')).toContain('no_poison');
        expect(garbageLetter.value!.equals(garbage)).toBe(true);
        expect(header(garbageLetter, 'sipcap-error')).toMatch(/^undecodable record/);
        for (const m of [poisonLetter, garbageLetter]) {
          expect(header(m, 'sipcap-source-topic')).toBe(topic);
          expect(Number(header(m, 'sipcap-source-offset'))).toBeGreaterThanOrEqual(0);
          expect(Number(header(m, 'sipcap-source-index'))).toBeGreaterThanOrEqual(0);
        }
      } finally {
        await dlq.stop();
      }
      expect(await w.metric('sipcap_db_dead_lettered_total', '{cause="rejected"}')).toBe(1);
      expect(await w.metric('sipcap_db_dead_lettered_total', '{cause="undecodable"}')).toBe(1);
      await stopCleanly(w);
    });
  }
});

describe('(f) a schema error is not poison', () => {
  it('postgres: rows refused for a missing column wait in Kafka (nothing dead-lettered) and are stored once the column is back', async () => {
    const db = await database('postgres');
    const topic = await freshTopic(3, 'writer-schema');
    const w = await writer(db, topic, uniqueName('g-schema'));
    await db.query('ALTER TABLE sip_capture DROP COLUMN rtp_stat');
    const f = feeder(topic);
    await f.feed(uniqueName('schema'), 500);
    await f.flush();
    await waitFor('a retried write', async () => ((await w.metric('sipcap_db_retries_total')) > 0 ? true : undefined), 30_000);
    await sleep(1000);
    expect(await db.counts()).toEqual({ rows: 0, callids: 0 });
    expect(await w.metric('sipcap_db_dead_lettered_total').catch(() => 0)).toBe(0);
    await db.query(`ALTER TABLE sip_capture ADD COLUMN rtp_stat varchar(256) NOT NULL DEFAULT ''`);
    expect(await waitForRows(db, 500, 60_000, [w])).toEqual({ rows: 500, callids: 500 });
    expect(await w.metric('sipcap_db_dead_lettered_total').catch(() => 0)).toBe(0);
    await stopCleanly(w);
  });
});

describe('(g) what each writer reports', () => {
  /** `sipcap status --json` for this topic and group; the writers' own rows picked by pid. */
  async function status(topic: string, group: string, pids: number[], ...args: string[]) {
    const r = await run(process.execPath, [CLI, 'status', '--json', '--sample', '0', ...args], {
      env: { PATH: process.env.PATH ?? '', KAFKA_TOPIC: topic, KAFKA_GROUP_ID: group, STATS_METRICS_URL: 'http://127.0.0.1:9' },
    }).then(
      (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    const json = JSON.parse(r.stdout);
    const mine = (json.writerInstances ?? []).filter((w: { pid: number }) => pids.includes(w.pid));
    return { ...r, json, mine: mine as { pid: number; counters: Record<string, number>; gauges: Record<string, number> }[] };
  }
  /** This writer's partitions from its per-partition lag series. */
  async function lagSeries(w: AgentProcess): Promise<Map<number, number>> {
    const text = await (await fetch(`http://127.0.0.1:${await w.metricsPort()}/metrics`)).text();
    const series = new Map<number, number>();
    for (const m of text.matchAll(/^sipcap_kafka_consumer_lag\{[^}]*partition="(\d+)"[^}]*\} (\S+)$/gm))
      series.set(Number(m[1]), Number(m[2]));
    return series;
  }

  it('two writers: rows, last insert and dead letters in sipcap status; lag per partition held, in records and seconds; --check on the age', async () => {
    const db = await database('postgres');
    const topic = await freshTopic(6, 'writer-status');
    const group = uniqueName('g-status');
    const ws = [await writer(db, topic, group), await writer(db, topic, group)];
    const pids = ws.map((w) => w.child.pid!);
    await waitFor(
      'both writers hold partitions',
      async () => {
        const [a, b] = await Promise.all(ws.map(lagSeries));
        return a.size > 0 && b.size > 0 && a.size + b.size === 6 ? [a, b] : undefined;
      },
      60_000,
      500,
    );
    const f = feeder(topic);
    await f.feed(uniqueName('status'), 3000, 1500);
    f.publish('garbage', Buffer.from('not a capture record'));
    await f.flush();
    expect(await waitForRows(db, 3000, 60_000, ws)).toEqual({ rows: 3000, callids: 3000 });

    // Each writer exports only the partitions it holds: together the six, each once, all caught up.
    const [a, b] = await waitFor(
      'the lag sampled after the last insert',
      async () => {
        const both = await Promise.all(ws.map(lagSeries));
        return [...both[0].values(), ...both[1].values()].every((v) => v === 0) && both[0].size + both[1].size === 6 ? both : undefined;
      },
      30_000,
      500,
    );
    expect([...a.keys(), ...b.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);

    const ok = await waitFor(
      'both writers reporting their rows',
      async () => {
        const st = await status(topic, group, pids);
        const rows = st.mine.reduce((n, w) => n + (w.counters.rowsInserted ?? 0), 0);
        return st.mine.length === 2 && rows === 3000 && st.mine.every((w) => w.gauges.lagRecords === 0) ? st : undefined;
      },
      30_000,
      1000,
    );
    expect(ok.code).toBe(0);
    expect(ok.mine.reduce((n, w) => n + w.gauges.partitions, 0)).toBe(6);
    expect(ok.mine.reduce((n, w) => n + w.counters.deadLetters, 0)).toBe(1);
    expect(ok.mine.every((w) => w.gauges.lastInsertMs > Date.now() - 60_000 || w.counters.rowsInserted === 0)).toBe(true);
    expect(ok.json.writers).toMatchObject({ lag: 0, lagRecords: 0 });
    const text = await run(process.execPath, [CLI, 'status', '--sample', '0'], {
      env: { PATH: process.env.PATH ?? '', KAFKA_TOPIC: topic, KAFKA_GROUP_ID: group, STATS_METRICS_URL: 'http://127.0.0.1:9' },
    });
    expect(text.stdout).toMatch(
      /HOST\s+PID\s+PARTITIONS\s+ROWS\/S\s+ROWS\s+LAST INSERT\s+DB ERRORS\s+DEAD LETTERS\s+LAG ~RECORDS\s+BEHIND/,
    );
    for (const pid of pids) expect(text.stdout).toMatch(new RegExp(`\\s${pid}\\s+\\d\\s+\\S+.*\\s\\d+\\s+\\S+ ago\\s`));

    // Writes wait (a missing column): the lag grows in records and in seconds, and --check names the age.
    await db.query('ALTER TABLE sip_capture DROP COLUMN rtp_stat');
    await f.feed(uniqueName('status-wait'), 600, 600);
    await f.flush();
    const behind = await waitFor(
      'the writers to report the lag and its age',
      async () => {
        const st = await status(topic, group, pids);
        const w = st.json.writers;
        return w.lag > 0 && w.lagRecords >= w.lag && w.lagSeconds >= 3 ? st : undefined;
      },
      60_000,
      1000,
    );
    expect(behind.mine.some((w) => w.counters.insertErrors > 0)).toBe(true);
    const check = await status(topic, group, pids, '--check', '--max-lag-seconds', '2', '--min-agents', '0');
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/CHECK FAILED: oldest unstored message \d+ s old, above 2 s/);
    await db.query(`ALTER TABLE sip_capture ADD COLUMN rtp_stat varchar(256) NOT NULL DEFAULT ''`);
    expect(await waitForRows(db, 3600, 60_000, ws)).toEqual({ rows: 3600, callids: 3600 });
    await waitFor(
      'caught up and healthy again',
      async () => {
        const st = await status(topic, group, pids, '--check', '--max-lag-seconds', '2', '--min-agents', '0');
        return st.code === 0 && st.json.writers.lag === 0 ? true : undefined;
      },
      30_000,
      1000,
    );
    for (const w of ws) await stopCleanly(w);
    // A writer stopped cleanly takes its report with it.
    expect((await status(topic, group, pids)).mine).toEqual([]);
  }, 240_000);
});
