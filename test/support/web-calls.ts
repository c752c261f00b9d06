/**
 * The calls the web tests capture: a call with three legs (A; B linked by X-CID: A; D linked by the HEP
 * correlation id A), an IPv6 call refused with 486, 25 OPTIONS for paging, a MESSAGE carrying markup in
 * its headers, and REGISTERs on two past days for the dated tables. Each message is known as HEP (for
 * the real pipeline) and as a capture record (derived by the agents' own code, for direct writes).
 */
import { encodeHep3 } from '@sipcap/hep';
import { buildRecord, recordExtraHeaders, type BuildRecordOptions, type CaptureRecord } from '@sipcap/record';
import { parseSip } from '@sipcap/sip';

export interface WebMessage {
  callid: string;
  payload: Buffer;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  tcp: boolean;
  tsMicros: bigint;
  correlationId?: string;
  captureId: number;
}

export interface WebDataSet {
  run: string;
  messages: WebMessage[];
  /** Start of the recent calls (epoch ms), some minutes before now. */
  t0: number;
  ids: { a: string; b: string; d: string; e: string; evil: string };
  users: {
    alice: string;
    bob: string;
    bobDevice: string;
    gw: string;
    carol: string;
    pager: string;
    reg: string;
    pai: string;
    evil: string;
  };
  /** The two past days of the REGISTERs (00:00 UTC of each). */
  day1: number;
  day2: number;
  /** The capture node name (CAPTURE_NODE) the records carry, with `:<captureId>`. */
  node: string;
}

/** The markup the hostile message carries. */
export const EVIL_HEADER = '<script>window.__pwned=1</script>';
/** A Call-ID may hold `<`, `>` and `/` (RFC 3261 `word`): shown in the results table, never as markup. */
export const evilCallId = (run: string) => `<b>evil-${run}</b>@x.example`;

function sip(start: string, headers: [string, string][], body = ''): Buffer {
  const lines = [start, ...headers.map(([n, v]) => `${n}: ${v}`)];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

const sdp = (ip: string) =>
  `v=0\r\no=- 1 1 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n`;

export function webDataSet(run: string, nowMs: number): WebDataSet {
  const t0 = Math.floor(nowMs / 1000) * 1000 - 20 * 60_000;
  const ids = {
    a: `a-${run}@alice.example`,
    b: `b-${run}@proxy.example`,
    d: `d-${run}@proxy.example`,
    e: `e-${run}@carol.example`,
    evil: evilCallId(run),
  };
  const users = {
    alice: `alice-${run}`,
    bob: `bob-${run}`,
    bobDevice: `bobdev-${run}`,
    gw: `gw-${run}`,
    carol: `carol-${run}`,
    pager: `pager-${run}`,
    reg: `reg-${run}`,
    pai: `pai-${run}`,
    evil: `evil-${run}`,
  };
  const messages: WebMessage[] = [];
  const at = (ms: number) => BigInt(ms) * 1000n + 123n;
  const ALICE = '10.1.0.1',
    PROXY = '10.1.0.2',
    BOB = '10.1.0.3',
    REC = '10.1.0.4';

  // Leg A: alice -> proxy, UDP.
  const aHeaders = (cseq: string, toTag = true): [string, string][] => [
    ['Via', `SIP/2.0/UDP ${ALICE}:5060;branch=z9hG4bK-a-${cseq.replace(' ', '')}`],
    ['From', `"Alice" <sip:${users.alice}@alice.example>;tag=a1`],
    ['To', `<sip:${users.bob}@bob.example>${toTag ? ';tag=p1' : ''}`],
    ['Call-ID', ids.a],
    ['CSeq', cseq],
  ];
  const a = (ms: number, payload: Buffer, toProxy: boolean) =>
    messages.push({
      callid: ids.a,
      payload,
      srcIp: toProxy ? ALICE : PROXY,
      srcPort: 5060,
      dstIp: toProxy ? PROXY : ALICE,
      dstPort: 5060,
      tcp: false,
      tsMicros: at(t0 + ms),
      captureId: 2001,
    });
  // Leg B: proxy:5070 -> bob, TCP; the INVITE carries X-CID: <A>.
  const bHeaders = (cseq: string, toTag = true): [string, string][] => [
    ['Via', `SIP/2.0/TCP ${PROXY}:5070;branch=z9hG4bK-b-${cseq.replace(' ', '')}`],
    ['From', `<sip:${users.gw}@proxy.example>;tag=g1`],
    ['To', `<sip:${users.bob}@bob.example>${toTag ? ';tag=b1' : ''}`],
    ['Call-ID', ids.b],
    ['CSeq', cseq],
  ];
  const b = (ms: number, payload: Buffer, toBob: boolean) =>
    messages.push({
      callid: ids.b,
      payload,
      srcIp: toBob ? PROXY : BOB,
      srcPort: toBob ? 5070 : 5060,
      dstIp: toBob ? BOB : PROXY,
      dstPort: toBob ? 5060 : 5070,
      tcp: true,
      tsMicros: at(t0 + ms),
      captureId: 2001,
    });
  // Leg D: proxy:5080 -> recorder, linked only by the HEP correlation id A.
  const dHeaders = (cseq: string): [string, string][] => [
    ['Via', `SIP/2.0/UDP ${PROXY}:5080;branch=z9hG4bK-d`],
    ['From', `<sip:rec-${run}@proxy.example>;tag=r1`],
    ['To', `<sip:recorder@rec.example>`],
    ['Call-ID', ids.d],
    ['CSeq', cseq],
  ];
  const d = (ms: number, payload: Buffer, toRec: boolean) =>
    messages.push({
      callid: ids.d,
      payload,
      srcIp: toRec ? PROXY : REC,
      srcPort: toRec ? 5080 : 5060,
      dstIp: toRec ? REC : PROXY,
      dstPort: toRec ? 5060 : 5080,
      tcp: false,
      tsMicros: at(t0 + ms),
      correlationId: ids.a,
      captureId: 2001,
    });

  a(
    0,
    sip(
      `INVITE sip:${users.bob}@bob.example SIP/2.0`,
      [
        ...aHeaders('1 INVITE', false),
        ['P-Asserted-Identity', `<sip:${users.pai}@alice.example>`],
        ['Contact', `<sip:${users.alice}@${ALICE}:5060>`],
      ],
      sdp(ALICE),
    ),
    true,
  );
  a(10, sip('SIP/2.0 100 Trying', aHeaders('1 INVITE', false)), false);
  b(
    20,
    sip(
      `INVITE sip:${users.bobDevice}@${BOB}:5060;transport=tcp SIP/2.0`,
      [...bHeaders('1 INVITE', false), ['X-CID', ids.a], ['Contact', `<sip:${users.gw}@${PROXY}:5070;transport=tcp>`]],
      sdp(PROXY),
    ),
    true,
  );
  b(30, sip('SIP/2.0 100 Trying', bHeaders('1 INVITE', false)), false);
  d(40, sip(`INVITE sip:recorder@${REC}:5060 SIP/2.0`, dHeaders('1 INVITE'), sdp(PROXY)), true);
  d(50, sip('SIP/2.0 200 OK', dHeaders('1 INVITE')), false);
  b(500, sip('SIP/2.0 180 Ringing', bHeaders('1 INVITE')), false);
  a(510, sip('SIP/2.0 180 Ringing', aHeaders('1 INVITE')), false);
  b(
    2000,
    sip('SIP/2.0 200 OK', [...bHeaders('1 INVITE'), ['Contact', `<sip:${users.bobDevice}@${BOB}:5060;transport=tcp>`]], sdp(BOB)),
    false,
  );
  a(2010, sip('SIP/2.0 200 OK', [...aHeaders('1 INVITE'), ['Contact', `<sip:${users.bob}@${PROXY}:5060>`]], sdp(PROXY)), false);
  a(2050, sip(`ACK sip:${users.bob}@${PROXY}:5060 SIP/2.0`, aHeaders('1 ACK')), true);
  b(2060, sip(`ACK sip:${users.bobDevice}@${BOB}:5060;transport=tcp SIP/2.0`, bHeaders('1 ACK')), true);
  a(5000, sip(`BYE sip:${users.bob}@${PROXY}:5060 SIP/2.0`, aHeaders('2 BYE')), true);
  b(5010, sip(`BYE sip:${users.bobDevice}@${BOB}:5060;transport=tcp SIP/2.0`, bHeaders('2 BYE')), true);
  b(5020, sip('SIP/2.0 200 OK', bHeaders('2 BYE')), false);
  a(5030, sip('SIP/2.0 200 OK', aHeaders('2 BYE')), false);

  // Call E over IPv6, refused: INVITE, 486, ACK; captured by agent 2002.
  const C1 = '2001:db8::1',
    C2 = '2001:db8::2';
  const eHeaders = (cseq: string, toTag: boolean): [string, string][] => [
    ['Via', `SIP/2.0/UDP [${C1}]:5060;branch=z9hG4bK-e`],
    ['From', `<sip:${users.carol}@carol.example>;tag=c1`],
    ['To', `<sip:busy-${run}@carol.example>${toTag ? ';tag=x9' : ''}`],
    ['Call-ID', ids.e],
    ['CSeq', cseq],
  ];
  const e = (ms: number, payload: Buffer, out: boolean) =>
    messages.push({
      callid: ids.e,
      payload,
      srcIp: out ? C1 : C2,
      srcPort: 5060,
      dstIp: out ? C2 : C1,
      dstPort: 5060,
      tcp: false,
      tsMicros: at(t0 + ms),
      captureId: 2002,
    });
  e(30_000, sip(`INVITE sip:busy-${run}@carol.example SIP/2.0`, eHeaders('1 INVITE', false), sdp('192.0.2.1')), true);
  e(30_100, sip('SIP/2.0 486 Busy Here', eHeaders('1 INVITE', true)), false);
  e(30_150, sip(`ACK sip:busy-${run}@carol.example SIP/2.0`, eHeaders('1 ACK', true)), true);

  // 25 OPTIONS, one a second, each its own Call-ID: for paging.
  for (let i = 0; i < 25; i++) {
    const callid = `opt-${i}-${run}@pager.example`;
    messages.push({
      callid,
      payload: sip('OPTIONS sip:10.1.0.9:5060 SIP/2.0', [
        ['Via', `SIP/2.0/UDP 10.1.0.8:5060;branch=z9hG4bK-o${i}`],
        ['From', `<sip:${users.pager}@pager.example>;tag=o${i}`],
        ['To', '<sip:10.1.0.9:5060>'],
        ['Call-ID', callid],
        ['CSeq', `${i + 1} OPTIONS`],
      ]),
      srcIp: '10.1.0.8',
      srcPort: 5060,
      dstIp: '10.1.0.9',
      dstPort: 5060,
      tcp: false,
      tsMicros: at(t0 + 60_000 + i * 1000),
      captureId: 2001,
    });
  }

  // A MESSAGE whose headers hold markup: the page must show it as text.
  messages.push({
    callid: ids.evil,
    payload: sip(`MESSAGE sip:${users.bob}@bob.example SIP/2.0`, [
      ['Via', 'SIP/2.0/UDP 10.1.0.66:5060;branch=z9hG4bK-evil'],
      ['From', `"Eve & Mallory" <sip:${users.evil}@evil.example>;tag=ev`],
      ['To', `<sip:${users.bob}@bob.example>`],
      ['Call-ID', ids.evil],
      ['CSeq', '1 MESSAGE'],
      ['X-Evil', EVIL_HEADER],
      ['Subject', '</div><b>bold?</b>'],
      ['User-Agent', '<img src=x onerror="window.__pwned=2">'],
    ]),
    srcIp: '10.1.0.66',
    srcPort: 5060,
    dstIp: PROXY,
    dstPort: 5060,
    tcp: false,
    tsMicros: at(t0 + 90_000),
    captureId: 2001,
  });

  // REGISTER and 200 on two past days (dated tables sip_capture_20250310 and _20250311).
  const day1 = Date.UTC(2025, 2, 10);
  const day2 = Date.UTC(2025, 2, 11);
  for (const [day, n] of [
    [day1, 1],
    [day2, 2],
  ] as const) {
    const callid = `reg-${n}-${run}@reg.example`;
    const h = (cseq: string): [string, string][] => [
      ['Via', `SIP/2.0/UDP 10.1.0.7:5060;branch=z9hG4bK-r${n}`],
      ['From', `<sip:${users.reg}@reg.example>;tag=r${n}`],
      ['To', `<sip:${users.reg}@reg.example>`],
      ['Call-ID', callid],
      ['CSeq', cseq],
      ['Contact', `<sip:${users.reg}@10.1.0.7:5060>;expires=3600`],
    ];
    const ts = day + 12 * 3_600_000;
    messages.push({
      callid,
      payload: sip('REGISTER sip:reg.example SIP/2.0', h('1 REGISTER')),
      srcIp: '10.1.0.7',
      srcPort: 5060,
      dstIp: '10.1.0.5',
      dstPort: 5060,
      tcp: false,
      tsMicros: at(ts),
      captureId: 2001,
    });
    messages.push({
      callid,
      payload: sip('SIP/2.0 200 OK', h('1 REGISTER')),
      srcIp: '10.1.0.5',
      srcPort: 5060,
      dstIp: '10.1.0.7',
      dstPort: 5060,
      tcp: false,
      tsMicros: at(ts + 20),
      captureId: 2001,
    });
  }

  return { run, messages, t0, ids, users, day1, day2, node: `webtest-${run}` };
}

/** The message as the HEP v3 packet a capture agent would send. */
export function toHep(m: WebMessage): Buffer {
  return encodeHep3({
    srcIp: m.srcIp,
    dstIp: m.dstIp,
    srcPort: m.srcPort,
    dstPort: m.dstPort,
    ipProto: m.tcp ? 6 : 17,
    tsSec: Number(m.tsMicros / 1_000_000n),
    tsUsec: Number(m.tsMicros % 1_000_000n),
    captureId: m.captureId,
    correlationId: m.correlationId,
    payload: m.payload,
  });
}

/** The capture record the agents derive from the message (CAPTURE_NODE = `node`, X-CID as A-leg header). */
export function toRecord(m: WebMessage, node: string): CaptureRecord {
  const opts: BuildRecordOptions = { captureNode: node, callidAlegHeaders: ['X-CID'], customHeaders: [] };
  const parsed = parseSip(m.payload, { extraHeaders: recordExtraHeaders(opts) });
  if (!parsed.ok) throw new Error(`test message does not parse: ${parsed.message}`);
  return buildRecord(
    {
      sip: parsed.sip,
      srcIp: m.srcIp,
      srcPort: m.srcPort,
      dstIp: m.dstIp,
      dstPort: m.dstPort,
      family: m.srcIp.includes(':') ? 10 : 2,
      proto: m.tcp ? 2 : 1,
      microTs: m.tsMicros,
      correlationId: m.correlationId,
      captureId: m.captureId,
      msg: m.payload,
    },
    opts,
  );
}
