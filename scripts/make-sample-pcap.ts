// Writes samples/sample-calls.pcap: a small, realistic SIP capture for newcomers and demos
// (`sipcap replay samples/sample-calls.pcap --to 127.0.0.1:9060`). Deterministic: the same bytes on
// every run, so the committed file only changes when this script does.
//
// Build and run (tsx is not installed; esbuild is):
//   npx esbuild scripts/make-sample-pcap.ts --bundle --platform=node --tsconfig=tsconfig.base.json \
//     --outfile=dist/scripts/make-sample-pcap.js && node dist/scripts/make-sample-pcap.js [out.pcap]
//
// What the capture holds, as seen on a PBX at 10.0.0.5 (pbx.example.com):
//   - 192.168.10.23 registers over UDP: REGISTER, 401 Unauthorized, REGISTER with credentials, 200 OK;
//   - the PBX checks its gateway 10.0.0.9 with OPTIONS, 200 OK (UDP);
//   - a DNS lookup of pbx.example.com (not SIP: replay skips it);
//   - alice (192.168.10.21) calls bob over UDP: INVITE, 100, 180, 200, ACK, BYE, 200;
//   - carol (192.168.10.22) calls dave over TCP, handshake and teardown included, her INVITE split
//     over two TCP segments: INVITE, 100, 180, 200, ACK, BYE, 200.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TcpFlag, testing, writePcap, type PcapWriteRecord } from '@sipcap/packet';

const { ethernetFrame, ipv4Packet, udpDatagram, tcpSegment } = testing;

const OUT = process.argv[2] ?? 'samples/sample-calls.pcap';
/** 2025-01-15 10:00:00 UTC, in microseconds. */
const T0 = BigInt(Date.UTC(2025, 0, 15, 10, 0, 0)) * 1000n;
const ms = (n: number): bigint => T0 + BigInt(Math.round(n * 1000));

const PBX = { ip: '10.0.0.5', mac: '52:54:00:0a:00:05' };
const GW = { ip: '10.0.0.9', mac: '52:54:00:0a:00:09' };
const ALICE = { ip: '192.168.10.21', mac: '52:54:00:c0:a8:15' };
const CAROL = { ip: '192.168.10.22', mac: '52:54:00:c0:a8:16' };
const ERIN = { ip: '192.168.10.23', mac: '52:54:00:c0:a8:17' };
const DNS = { ip: '10.0.0.2', mac: '52:54:00:0a:00:02' };
type Host = typeof PBX;

const records: PcapWriteRecord[] = [];
let ipId = 0x3a10;

function frame(src: Host, dst: Host, protocol: number, transport: Buffer): Buffer {
  const ip = ipv4Packet({ src: src.ip, dst: dst.ip, protocol, payload: transport, id: ipId++, ttl: 64, dontFragment: true });
  return ethernetFrame({ payload: ip, srcMac: src.mac, dstMac: dst.mac, pad: true });
}

function udp(at: bigint, src: Host, srcPort: number, dst: Host, dstPort: number, payload: Buffer): void {
  records.push({ tsMicros: at, frame: frame(src, dst, 17, udpDatagram({ src: src.ip, dst: dst.ip, srcPort, dstPort, payload })) });
}

/** A SIP message with CRLF line ends and a Content-Length that matches its body. */
function sip(startLine: string, headers: string[], body = ''): Buffer {
  const type = body ? ['Content-Type: application/sdp'] : [];
  const lines = [startLine, ...headers, ...type, `Content-Length: ${Buffer.byteLength(body)}`];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

function sdp(user: string, sessionId: number, ip: string, port: number): string {
  return [
    'v=0',
    `o=${user} ${sessionId} ${sessionId} IN IP4 ${ip}`,
    's=call',
    `c=IN IP4 ${ip}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

const ALLOW = 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, INFO, UPDATE';

// --- REGISTER with a digest challenge (UDP) -----------------------------------------------------
{
  const callId = '5f0c2a1d7e9b4c3a@192.168.10.23';
  const from = 'From: "Erin" <sip:erin@pbx.example.com>;tag=9fxced76sl';
  const to = 'To: "Erin" <sip:erin@pbx.example.com>';
  const contact = 'Contact: <sip:erin@192.168.10.23:5060>;expires=3600';
  const ua = 'User-Agent: Yealink SIP-T46U 108.86.0.45';
  udp(
    ms(0),
    ERIN,
    5060,
    PBX,
    5060,
    sip('REGISTER sip:pbx.example.com SIP/2.0', [
      'Via: SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-1-a7c3;rport',
      'Max-Forwards: 70',
      from,
      to,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      contact,
      ua,
      ALLOW,
      'Expires: 3600',
    ]),
  );
  udp(
    ms(4.2),
    PBX,
    5060,
    ERIN,
    5060,
    sip('SIP/2.0 401 Unauthorized', [
      'Via: SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-1-a7c3;rport=5060;received=192.168.10.23',
      from,
      `${to};tag=as3e1f0b21`,
      `Call-ID: ${callId}`,
      'CSeq: 1 REGISTER',
      'Server: Asterisk PBX 20.5.0',
      'WWW-Authenticate: Digest algorithm=MD5, realm="pbx.example.com", nonce="6790a8f2:3b1c5e0a9d4f"',
    ]),
  );
  udp(
    ms(41.7),
    ERIN,
    5060,
    PBX,
    5060,
    sip('REGISTER sip:pbx.example.com SIP/2.0', [
      'Via: SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-2-51fe;rport',
      'Max-Forwards: 70',
      from,
      to,
      `Call-ID: ${callId}`,
      'CSeq: 2 REGISTER',
      contact,
      ua,
      'Authorization: Digest username="erin", realm="pbx.example.com", nonce="6790a8f2:3b1c5e0a9d4f", uri="sip:pbx.example.com", response="0a4f113b8e2d6c5a9f7e1d3c2b4a6978", algorithm=MD5',
      ALLOW,
      'Expires: 3600',
    ]),
  );
  udp(
    ms(46.9),
    PBX,
    5060,
    ERIN,
    5060,
    sip('SIP/2.0 200 OK', [
      'Via: SIP/2.0/UDP 192.168.10.23:5060;branch=z9hG4bK-reg-2-51fe;rport=5060;received=192.168.10.23',
      from,
      `${to};tag=as3e1f0b21`,
      `Call-ID: ${callId}`,
      'CSeq: 2 REGISTER',
      'Server: Asterisk PBX 20.5.0',
      'Contact: <sip:erin@192.168.10.23:5060>;expires=3600',
      'Date: Wed, 15 Jan 2025 10:00:00 GMT',
    ]),
  );
}

// --- OPTIONS keep-alive to the gateway (UDP) ----------------------------------------------------
{
  const callId = '2c7e0d5b61a94f08@10.0.0.5';
  const from = 'From: <sip:pbx@pbx.example.com>;tag=as51b2c4e8';
  udp(
    ms(1000),
    PBX,
    5060,
    GW,
    5060,
    sip('OPTIONS sip:10.0.0.9:5060 SIP/2.0', [
      'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK0c9d2e71;rport',
      'Max-Forwards: 70',
      from,
      'To: <sip:10.0.0.9:5060>',
      'Contact: <sip:pbx@10.0.0.5:5060>',
      `Call-ID: ${callId}`,
      'CSeq: 102 OPTIONS',
      'User-Agent: Asterisk PBX 20.5.0',
      ALLOW,
      'Accept: application/sdp',
    ]),
  );
  udp(
    ms(1002.3),
    GW,
    5060,
    PBX,
    5060,
    sip('SIP/2.0 200 OK', [
      'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK0c9d2e71;rport=5060',
      from,
      'To: <sip:10.0.0.9:5060>;tag=gw-7731',
      `Call-ID: ${callId}`,
      'CSeq: 102 OPTIONS',
      'Server: FreeSWITCH-mod_sofia/1.10.11',
      ALLOW,
      'Accept: application/sdp',
    ]),
  );
}

// --- A DNS lookup (not SIP) ---------------------------------------------------------------------
{
  const question = Buffer.concat([
    Buffer.from([3, ...Buffer.from('pbx'), 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0]),
    Buffer.from([0, 1, 0, 1]), // A, IN
  ]);
  const query = Buffer.concat([Buffer.from([0x4f, 0x21, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), question]);
  const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 10, 0, 0, 5]); // 3600 s, 10.0.0.5
  const reply = Buffer.concat([Buffer.from([0x4f, 0x21, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]), question, answer]);
  udp(ms(1990), ALICE, 53211, DNS, 53, query);
  udp(ms(1991.4), DNS, 53, ALICE, 53211, reply);
}

// --- alice calls bob (UDP) ----------------------------------------------------------------------
{
  const callId = 'a84b4c76e66710@192.168.10.21';
  const from = 'From: "Alice" <sip:alice@pbx.example.com>;tag=1928301774';
  const to = 'To: <sip:bob@pbx.example.com>';
  const toTagged = `${to};tag=as6a7c8d9e`;
  const invVia = 'Via: SIP/2.0/UDP 192.168.10.21:5060;branch=z9hG4bK776asdhds;rport';
  const invViaR = 'Via: SIP/2.0/UDP 192.168.10.21:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.168.10.21';
  const pbx = 'Server: Asterisk PBX 20.5.0';
  const t = 2000;
  udp(
    ms(t),
    ALICE,
    5060,
    PBX,
    5060,
    sip(
      'INVITE sip:bob@pbx.example.com SIP/2.0',
      [
        invVia,
        'Max-Forwards: 70',
        from,
        to,
        `Call-ID: ${callId}`,
        'CSeq: 314159 INVITE',
        'Contact: <sip:alice@192.168.10.21:5060>',
        'User-Agent: Linphone/5.2.5 (belle-sip/5.2.94)',
        ALLOW,
        'Supported: replaces, timer',
        'Session-Expires: 1800',
        'P-Preferred-Identity: "Alice" <sip:alice@pbx.example.com>',
      ],
      sdp('alice', 2890844526, ALICE.ip, 49170),
    ),
  );
  udp(
    ms(t + 3.1),
    PBX,
    5060,
    ALICE,
    5060,
    sip('SIP/2.0 100 Trying', [invViaR, from, to, `Call-ID: ${callId}`, 'CSeq: 314159 INVITE', pbx]),
  );
  udp(
    ms(t + 412.8),
    PBX,
    5060,
    ALICE,
    5060,
    sip('SIP/2.0 180 Ringing', [
      invViaR,
      from,
      toTagged,
      `Call-ID: ${callId}`,
      'CSeq: 314159 INVITE',
      'Contact: <sip:bob@10.0.0.5:5060>',
      pbx,
    ]),
  );
  udp(
    ms(t + 4870.5),
    PBX,
    5060,
    ALICE,
    5060,
    sip(
      'SIP/2.0 200 OK',
      [
        invViaR,
        from,
        toTagged,
        `Call-ID: ${callId}`,
        'CSeq: 314159 INVITE',
        'Contact: <sip:bob@10.0.0.5:5060>',
        pbx,
        ALLOW,
        'Supported: replaces, timer',
        'Session-Expires: 1800;refresher=uac',
        'P-Asserted-Identity: "Bob" <sip:bob@pbx.example.com>',
      ],
      sdp('bob', 1734566012, PBX.ip, 17424),
    ),
  );
  udp(
    ms(t + 4901.2),
    ALICE,
    5060,
    PBX,
    5060,
    sip('ACK sip:bob@10.0.0.5:5060 SIP/2.0', [
      'Via: SIP/2.0/UDP 192.168.10.21:5060;branch=z9hG4bK4f1c0a3b;rport',
      'Max-Forwards: 70',
      from,
      toTagged,
      `Call-ID: ${callId}`,
      'CSeq: 314159 ACK',
      'User-Agent: Linphone/5.2.5 (belle-sip/5.2.94)',
    ]),
  );
  const byeVia = 'Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK3b1e7d24;rport';
  udp(
    ms(t + 41_230.9),
    PBX,
    5060,
    ALICE,
    5060,
    sip('BYE sip:alice@192.168.10.21:5060 SIP/2.0', [
      byeVia,
      'Max-Forwards: 70',
      'From: <sip:bob@pbx.example.com>;tag=as6a7c8d9e',
      'To: "Alice" <sip:alice@pbx.example.com>;tag=1928301774',
      `Call-ID: ${callId}`,
      'CSeq: 102 BYE',
      'User-Agent: Asterisk PBX 20.5.0',
      'Reason: Q.850;cause=16;text="Normal call clearing"',
    ]),
  );
  udp(
    ms(t + 41_262.4),
    ALICE,
    5060,
    PBX,
    5060,
    sip('SIP/2.0 200 OK', [
      byeVia,
      'From: <sip:bob@pbx.example.com>;tag=as6a7c8d9e',
      'To: "Alice" <sip:alice@pbx.example.com>;tag=1928301774',
      `Call-ID: ${callId}`,
      'CSeq: 102 BYE',
      'User-Agent: Linphone/5.2.5 (belle-sip/5.2.94)',
    ]),
  );
}

// --- carol calls dave (TCP) ---------------------------------------------------------------------
{
  const cPort = 49_722;
  let cSeq = 0x1c4e9a02; // carol's next sequence number
  let sSeq = 0x7d01f3c8; // the PBX's
  const c2s = (at: bigint, flags: number, payload: Buffer = Buffer.alloc(0)): void => {
    const seg = tcpSegment({
      src: CAROL.ip,
      dst: PBX.ip,
      srcPort: cPort,
      dstPort: 5060,
      seq: cSeq,
      ack: flags === TcpFlag.SYN ? 0 : sSeq,
      flags,
      payload,
    });
    records.push({ tsMicros: at, frame: frame(CAROL, PBX, 6, seg) });
    cSeq = (cSeq + payload.length + (flags & (TcpFlag.SYN | TcpFlag.FIN) ? 1 : 0)) >>> 0;
  };
  const s2c = (at: bigint, flags: number, payload: Buffer = Buffer.alloc(0)): void => {
    const seg = tcpSegment({ src: PBX.ip, dst: CAROL.ip, srcPort: 5060, dstPort: cPort, seq: sSeq, ack: cSeq, flags, payload });
    records.push({ tsMicros: at, frame: frame(PBX, CAROL, 6, seg) });
    sSeq = (sSeq + payload.length + (flags & (TcpFlag.SYN | TcpFlag.FIN) ? 1 : 0)) >>> 0;
  };
  const ACK = TcpFlag.ACK;
  const PSH = TcpFlag.ACK | TcpFlag.PSH;

  const callId = '3848276298220188511@192.168.10.22';
  const from = 'From: "Carol" <sip:carol@pbx.example.com>;tag=8321234356';
  const to = 'To: <sip:dave@pbx.example.com>';
  const toTagged = `${to};tag=as1f2e3d4c`;
  const via = `Via: SIP/2.0/TCP 192.168.10.22:${cPort};branch=z9hG4bK-d8754z-c2f1;rport`;
  const viaR = `${via}=${cPort};received=192.168.10.22`;
  const pbx = 'Server: Asterisk PBX 20.5.0';
  const contactC = `Contact: <sip:carol@192.168.10.22:${cPort};transport=tcp>`;
  const contactD = 'Contact: <sip:dave@10.0.0.5:5060;transport=tcp>';
  const t = 9000;

  c2s(ms(t), TcpFlag.SYN);
  s2c(ms(t + 0.4), TcpFlag.SYN | TcpFlag.ACK);
  c2s(ms(t + 0.7), ACK);
  const invite = sip(
    'INVITE sip:dave@pbx.example.com;transport=tcp SIP/2.0',
    [
      via,
      'Max-Forwards: 70',
      from,
      to,
      `Call-ID: ${callId}`,
      'CSeq: 1 INVITE',
      contactC,
      'User-Agent: Zoiper rv2.10.20.2',
      ALLOW,
      'Supported: replaces, norefersub',
      'X-CID: 3848276298220188511@192.168.10.22',
    ],
    sdp('carol', 3724401011, CAROL.ip, 8000),
  );
  const half = Math.floor(invite.length / 2);
  c2s(ms(t + 1.2), ACK, invite.subarray(0, half)); // one message over two segments
  c2s(ms(t + 1.3), PSH, invite.subarray(half));
  s2c(ms(t + 1.6), ACK);
  s2c(ms(t + 3.9), PSH, sip('SIP/2.0 100 Trying', [viaR, from, to, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', pbx]));
  c2s(ms(t + 4.2), ACK);
  s2c(ms(t + 288.1), PSH, sip('SIP/2.0 180 Ringing', [viaR, from, toTagged, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', contactD, pbx]));
  c2s(ms(t + 288.5), ACK);
  s2c(
    ms(t + 3120.6),
    PSH,
    sip(
      'SIP/2.0 200 OK',
      [viaR, from, toTagged, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', contactD, pbx, ALLOW, 'Supported: replaces, timer'],
      sdp('dave', 1734566190, PBX.ip, 17530),
    ),
  );
  c2s(
    ms(t + 3142.0),
    PSH,
    sip(`ACK sip:dave@10.0.0.5:5060;transport=tcp SIP/2.0`, [
      `Via: SIP/2.0/TCP 192.168.10.22:${cPort};branch=z9hG4bK-d8754z-a1b9;rport`,
      'Max-Forwards: 70',
      from,
      toTagged,
      `Call-ID: ${callId}`,
      'CSeq: 1 ACK',
      contactC,
      'User-Agent: Zoiper rv2.10.20.2',
    ]),
  );
  s2c(ms(t + 3142.4), ACK);
  const byeVia = `Via: SIP/2.0/TCP 192.168.10.22:${cPort};branch=z9hG4bK-d8754z-77e0;rport`;
  c2s(
    ms(t + 19_876.3),
    PSH,
    sip('BYE sip:dave@10.0.0.5:5060;transport=tcp SIP/2.0', [
      byeVia,
      'Max-Forwards: 70',
      from,
      toTagged,
      `Call-ID: ${callId}`,
      'CSeq: 2 BYE',
      contactC,
      'User-Agent: Zoiper rv2.10.20.2',
      'Reason: Q.850;cause=16;text="Normal call clearing"',
    ]),
  );
  s2c(
    ms(t + 19_879.0),
    PSH,
    sip('SIP/2.0 200 OK', [`${byeVia}=${cPort};received=192.168.10.22`, from, toTagged, `Call-ID: ${callId}`, 'CSeq: 2 BYE', pbx]),
  );
  c2s(ms(t + 19_879.4), ACK);
  c2s(ms(t + 19_880.0), TcpFlag.FIN | TcpFlag.ACK);
  s2c(ms(t + 19_880.3), TcpFlag.FIN | TcpFlag.ACK);
  c2s(ms(t + 19_880.6), ACK);
}

records.sort((a, b) => (a.tsMicros < b.tsMicros ? -1 : a.tsMicros > b.tsMicros ? 1 : 0));
mkdirSync(dirname(OUT), { recursive: true });
const file = writePcap(records, { linktype: 1 });
writeFileSync(OUT, file);
console.log(`wrote ${OUT}: ${records.length} packets, ${file.length} bytes`);
