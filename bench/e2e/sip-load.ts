/**
 * Unique, realistic SIP traffic for the end-to-end benchmark: whole dialogs, each with its own Call-ID,
 * interleaved the way a capture node sees them from a busy PBX and its carriers.
 *
 * - calls (80 % of flows): INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200
 * - registrations (12 %): REGISTER, 401 with a digest challenge, REGISTER with credentials, 200
 * - keep-alives (8 %): OPTIONS, 200
 *
 * Every message is 400 to 1,200 bytes, and (Call-ID, CSeq, method) is unique in a run, which is what
 * the duplicate count of the benchmark groups by.
 */

import { prng } from '../../test/support/prng';

export interface SipDatagram {
  payload: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
}

export const MIN_SIZE = 400;
export const MAX_SIZE = 1200;

const USER_AGENTS = [
  'Asterisk PBX 18.20.0',
  'FreeSWITCH-mod_sofia/1.10.11-release',
  'Yealink SIP-T46U 108.86.0.20',
  'Grandstream GXP2170 1.0.11.23',
  'Cisco-SIPGateway/IOS-16.12',
  'Kamailio (5.6.3 (x86_64/linux))',
];
const CARRIERS = ['carrier-a.example.net', 'sbc1.telco.example.org', 'trunk.voip.example.com'];
const PBX_DOMAIN = 'pbx.example.com';
const PBX_IP = '10.0.0.5';
const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, PRACK, MESSAGE';

function sdp(ip: string, port: number, session: number): string {
  return [
    'v=0',
    `o=- ${session} ${session + 1} IN IP4 ${ip}`,
    's=call',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 8 0 9 101`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=maxptime:150',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

function message(startLine: string, headers: string[], body = '', contentType = 'application/sdp'): string {
  const lines = [startLine, ...headers];
  if (body) lines.push(`Content-Type: ${contentType}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** One dialog's messages, in order, with their direction. */
type Flow = SipDatagram[];

interface FlowContext {
  rnd: () => number;
  tag: string;
  n: number;
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

function hex(rnd: () => number, len: number): string {
  let s = '';
  while (s.length < len)
    s += Math.floor(rnd() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return s.slice(0, len);
}

function phone(rnd: () => number, prefix: string): string {
  return prefix + String(Math.floor(rnd() * 1e8)).padStart(8, '0');
}

function carrierIp(rnd: () => number): string {
  return `192.0.2.${1 + Math.floor(rnd() * 250)}`;
}

function phoneIp(rnd: () => number): string {
  return `10.${1 + Math.floor(rnd() * 30)}.${Math.floor(rnd() * 256)}.${2 + Math.floor(rnd() * 250)}`;
}

function call({ rnd, tag, n }: FlowContext): Flow {
  const callId = `${hex(rnd, 16)}-${tag}-${n}@${PBX_DOMAIN}`;
  const caller = phone(rnd, '+4940');
  const callee = phone(rnd, '+4930');
  const carrier = pick(rnd, CARRIERS);
  const cIp = carrierIp(rnd);
  const ua = pick(rnd, USER_AGENTS);
  const fromTag = hex(rnd, 10);
  const toTag = hex(rnd, 12);
  const branch = `z9hG4bK-${hex(rnd, 20)}`;
  const byeBranch = `z9hG4bK-${hex(rnd, 20)}`;
  const ackBranch = `z9hG4bK-${hex(rnd, 20)}`;
  const session = Math.floor(rnd() * 1e9);
  const rr = `Record-Route: <sip:${cIp};lr;ftag=${fromTag}>`;
  const from = `From: "${caller.slice(-4)}" <sip:${caller}@${PBX_DOMAIN};user=phone>;tag=${fromTag}`;
  const to = `To: <sip:${callee}@${carrier};user=phone>`;
  const toTagged = `${to};tag=${toTag}`;
  const via = `Via: SIP/2.0/UDP ${PBX_IP}:5060;branch=${branch};rport`;
  const out = { srcIp: PBX_IP, srcPort: 5060, dstIp: cIp, dstPort: 5060 };
  const back = { srcIp: cIp, srcPort: 5060, dstIp: PBX_IP, dstPort: 5060 };
  const ruri = `sip:${callee}@${carrier};user=phone`;
  const contactPbx = `Contact: <sip:${caller}@${PBX_IP}:5060;transport=udp>`;
  const contactCarrier = `Contact: <sip:${callee}@${cIp}:5060;transport=udp>`;
  const pbxSdp = sdp(PBX_IP, 10000 + 2 * Math.floor(rnd() * 10000), session);
  const carrierSdp = sdp(cIp, 20000 + 2 * Math.floor(rnd() * 10000), session + 7);
  return [
    {
      ...out,
      payload: message(
        `INVITE ${ruri} SIP/2.0`,
        [
          via,
          'Max-Forwards: 70',
          from,
          to,
          `Call-ID: ${callId}`,
          'CSeq: 1 INVITE',
          contactPbx,
          `P-Asserted-Identity: <sip:${caller}@${PBX_DOMAIN};user=phone>`,
          `Allow: ${ALLOW}`,
          'Supported: replaces, timer, 100rel',
          'Session-Expires: 1800;refresher=uac',
          'Min-SE: 90',
          `User-Agent: ${ua}`,
        ],
        pbxSdp,
      ),
    },
    {
      ...back,
      payload: message('SIP/2.0 100 Trying', [
        `${via};received=${PBX_IP}`,
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        'Server: SBC 4.2.1',
        `Allow: ${ALLOW}`,
        'Supported: timer, replaces',
      ]),
    },
    {
      ...back,
      payload: message('SIP/2.0 180 Ringing', [
        `${via};received=${PBX_IP}`,
        rr,
        from,
        toTagged,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        contactCarrier,
        `Allow: ${ALLOW}`,
        'Server: SBC 4.2.1',
      ]),
    },
    {
      ...back,
      payload: message(
        'SIP/2.0 200 OK',
        [
          `${via};received=${PBX_IP}`,
          rr,
          from,
          toTagged,
          `Call-ID: ${callId}`,
          'CSeq: 1 INVITE',
          contactCarrier,
          `Allow: ${ALLOW}`,
          'Supported: timer, replaces',
          'Session-Expires: 1800;refresher=uac',
          'Require: timer',
          'Server: SBC 4.2.1',
        ],
        carrierSdp,
      ),
    },
    {
      ...out,
      payload: message(`ACK sip:${callee}@${cIp}:5060;transport=udp SIP/2.0`, [
        `Via: SIP/2.0/UDP ${PBX_IP}:5060;branch=${ackBranch};rport`,
        `Route: <sip:${cIp};lr;ftag=${fromTag}>`,
        'Max-Forwards: 70',
        from,
        toTagged,
        `Call-ID: ${callId}`,
        'CSeq: 1 ACK',
        contactPbx,
        `User-Agent: ${ua}`,
      ]),
    },
    {
      ...out,
      payload: message(`BYE sip:${callee}@${cIp}:5060;transport=udp SIP/2.0`, [
        `Via: SIP/2.0/UDP ${PBX_IP}:5060;branch=${byeBranch};rport`,
        `Route: <sip:${cIp};lr;ftag=${fromTag}>`,
        'Max-Forwards: 70',
        from,
        toTagged,
        `Call-ID: ${callId}`,
        'CSeq: 2 BYE',
        `User-Agent: ${ua}`,
        'Reason: Q.850;cause=16;text="Normal call clearing"',
        'X-RTP-Stat: CS=0;PS=2875;ES=2900;OS=460000;SP=0/0;SO=0;QS=-;PR=2901;ER=2900;OR=464160;CR=0;SR=0;QR=-;PL=0,0;BL=0;LS=0;RB=0/0;SB=-/-;EN=PCMA;DE=PCMA;JI=1,2;DL=20,20,21;IP=' +
          `${PBX_IP}:10000,${cIp}:20000`,
      ]),
    },
    {
      ...back,
      payload: message('SIP/2.0 200 OK', [
        `Via: SIP/2.0/UDP ${PBX_IP}:5060;branch=${byeBranch};rport=5060;received=${PBX_IP}`,
        from,
        toTagged,
        `Call-ID: ${callId}`,
        'CSeq: 2 BYE',
        'Server: SBC 4.2.1',
        `Allow: ${ALLOW}`,
        'Supported: timer, replaces',
      ]),
    },
  ];
}

function registration({ rnd, tag, n }: FlowContext): Flow {
  const callId = `${hex(rnd, 20)}-${tag}-${n}`;
  const user = String(1000 + Math.floor(rnd() * 9000));
  const ip = phoneIp(rnd);
  const port = 5060 + Math.floor(rnd() * 4);
  const ua = pick(rnd, USER_AGENTS.slice(2, 4));
  const fromTag = hex(rnd, 10);
  const nonce = hex(rnd, 32);
  const up = { srcIp: ip, srcPort: port, dstIp: PBX_IP, dstPort: 5060 };
  const down = { srcIp: PBX_IP, srcPort: 5060, dstIp: ip, dstPort: port };
  const from = `From: <sip:${user}@${PBX_DOMAIN}>;tag=${fromTag}`;
  const to = `To: <sip:${user}@${PBX_DOMAIN}>`;
  const contact = `Contact: <sip:${user}@${ip}:${port};line=${hex(rnd, 8)}>;reg-id=1;+sip.instance="<urn:uuid:${hex(rnd, 8)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 4)}-${hex(rnd, 12)}>"`;
  const b1 = `z9hG4bK${hex(rnd, 16)}`;
  const b2 = `z9hG4bK${hex(rnd, 16)}`;
  const common = ['Max-Forwards: 70', `User-Agent: ${ua}`, 'Expires: 3600', `Allow: ${ALLOW}`, 'Supported: path, gruu, outbound'];
  const auth = `Authorization: Digest username="${user}", realm="${PBX_DOMAIN}", nonce="${nonce}", uri="sip:${PBX_DOMAIN}", response="${hex(rnd, 32)}", algorithm=MD5, cnonce="${hex(rnd, 16)}", qop=auth, nc=00000001`;
  return [
    {
      ...up,
      payload: message(`REGISTER sip:${PBX_DOMAIN} SIP/2.0`, [
        `Via: SIP/2.0/UDP ${ip}:${port};branch=${b1};rport`,
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 1 REGISTER',
        contact,
        ...common,
      ]),
    },
    {
      ...down,
      payload: message('SIP/2.0 401 Unauthorized', [
        `Via: SIP/2.0/UDP ${ip}:${port};branch=${b1};rport=${port};received=${ip}`,
        from,
        `${to};tag=${hex(rnd, 10)}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 REGISTER',
        `WWW-Authenticate: Digest realm="${PBX_DOMAIN}", nonce="${nonce}", opaque="${hex(rnd, 16)}", algorithm=MD5, qop="auth"`,
        'Server: Asterisk PBX 18.20.0',
      ]),
    },
    {
      ...up,
      payload: message(`REGISTER sip:${PBX_DOMAIN} SIP/2.0`, [
        `Via: SIP/2.0/UDP ${ip}:${port};branch=${b2};rport`,
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 2 REGISTER',
        contact,
        auth,
        ...common,
      ]),
    },
    {
      ...down,
      payload: message('SIP/2.0 200 OK', [
        `Via: SIP/2.0/UDP ${ip}:${port};branch=${b2};rport=${port};received=${ip}`,
        from,
        `${to};tag=${hex(rnd, 10)}`,
        `Call-ID: ${callId}`,
        'CSeq: 2 REGISTER',
        `${contact};expires=3600`,
        `Date: ${new Date(0).toUTCString()}`,
        'Server: Asterisk PBX 18.20.0',
      ]),
    },
  ];
}

function keepAlive({ rnd, tag, n }: FlowContext): Flow {
  const callId = `${hex(rnd, 24)}-${tag}-${n}@${PBX_IP}`;
  const carrier = pick(rnd, CARRIERS);
  const cIp = carrierIp(rnd);
  const branch = `z9hG4bK-${hex(rnd, 20)}`;
  const from = `From: <sip:ping@${PBX_DOMAIN}>;tag=${hex(rnd, 10)}`;
  const to = `To: <sip:${carrier}>`;
  const via = `Via: SIP/2.0/UDP ${PBX_IP}:5060;branch=${branch};rport`;
  return [
    {
      srcIp: PBX_IP,
      srcPort: 5060,
      dstIp: cIp,
      dstPort: 5060,
      payload: message(`OPTIONS sip:${carrier} SIP/2.0`, [
        via,
        'Max-Forwards: 70',
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        `Contact: <sip:ping@${PBX_IP}:5060>`,
        'Accept: application/sdp',
        `Allow: ${ALLOW}`,
        'User-Agent: Asterisk PBX 18.20.0',
      ]),
    },
    {
      srcIp: cIp,
      srcPort: 5060,
      dstIp: PBX_IP,
      dstPort: 5060,
      payload: message('SIP/2.0 200 OK', [
        `${via};received=${PBX_IP}`,
        from,
        `${to};tag=${hex(rnd, 10)}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 OPTIONS',
        `Allow: ${ALLOW}`,
        'Accept: application/sdp',
        'Supported: timer, replaces, 100rel',
        'Server: SBC 4.2.1',
      ]),
    },
  ];
}

/**
 * Yields `count` datagrams: up to `concurrent` dialogs in progress at once, their messages interleaved.
 * `tag` goes into every Call-ID (unique per run), `seed` makes the traffic reproducible.
 */
export function* sipTraffic(count: number, tag: string, seed = 1, concurrent = 64): Generator<SipDatagram> {
  const rnd = prng(seed);
  let n = 0;
  const nextFlow = (): Flow => {
    const ctx = { rnd, tag, n: n++ };
    const r = rnd();
    return r < 0.8 ? call(ctx) : r < 0.92 ? registration(ctx) : keepAlive(ctx);
  };
  const active: { flow: Flow; i: number }[] = [];
  for (let i = 0; i < concurrent; i++) active.push({ flow: nextFlow(), i: 0 });
  let produced = 0;
  let slot = 0;
  while (produced < count) {
    const a = active[slot];
    yield a.flow[a.i++];
    produced++;
    if (a.i === a.flow.length) active[slot] = { flow: nextFlow(), i: 0 };
    slot = (slot + 1 + Math.floor(rnd() * 3)) % concurrent;
  }
}
