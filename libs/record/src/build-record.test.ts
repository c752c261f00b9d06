import { describe, it, expect } from 'vitest';
import { parseSip, type SipMessage } from '@sipcap/sip';
import { buildRecord, columnsInMsg, recordExtraHeaders, type BuildRecordInput, type BuildRecordOptions } from './build-record';
import { COLUMN_WIDTH, COLUMNS, Family, Proto, STRING_COLUMNS, type CaptureRecord } from './capture-record';

const OPTS: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: ['X-CID'], customHeaders: [] };

function sipMessage(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'utf8');
}

function parsed(msg: Buffer, opts: BuildRecordOptions): SipMessage {
  const r = parseSip(msg, { extraHeaders: recordExtraHeaders(opts) });
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.sip;
}

function record(msg: Buffer, opts: BuildRecordOptions = OPTS, over: Partial<BuildRecordInput> = {}): CaptureRecord {
  return buildRecord(
    {
      sip: parsed(msg, opts),
      srcIp: '192.0.2.10',
      srcPort: 5060,
      dstIp: '198.51.100.20',
      dstPort: 5080,
      family: Family.IPV4,
      proto: Proto.UDP,
      microTs: 1_700_000_000_123_456n,
      msg,
      ...over,
    },
    opts,
  );
}

const SDP = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
  's=-',
  'c=IN IP4 192.0.2.10',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

const INVITE = sipMessage(
  [
    'INVITE sip:+15557654321@biloxi.example.com;user=phone SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
    'To: <sip:+15557654321@biloxi.example.com;user=phone>',
    'Call-ID: 3848276298220188511@atlanta.example.com',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@192.0.2.10:5060;transport=udp>',
    'P-Asserted-Identity: "Alice" <sip:+15551234567@atlanta.example.com;user=phone>',
    'Diversion: <sip:+15550001111@biloxi.example.com>;reason=unconditional;counter=1',
    'X-CID: 7f0a1b2c3d4e@sbc.example.com',
    'X-OIP: 203.0.113.7:5062',
    'Expires: 180',
    'User-Agent: Acme SoftPhone/4.2',
    'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
  ],
  SDP,
);

describe('buildRecord', () => {
  it('derives every column of an INVITE', () => {
    const rec = record(INVITE);
    const expected: CaptureRecord = {
      micro_ts: 1_700_000_000_123_456n,
      method: 'INVITE',
      reply_reason: '',
      ruri: 'sip:+15557654321@biloxi.example.com;user=phone',
      ruri_user: '+15557654321',
      ruri_domain: 'biloxi.example.com',
      from_user: 'alice',
      from_domain: 'atlanta.example.com',
      from_tag: '9fxced76sl',
      to_user: '+15557654321',
      to_domain: 'biloxi.example.com',
      to_tag: '',
      pid_user: '+15551234567',
      contact_user: 'alice',
      auth_user: '',
      callid: '3848276298220188511@atlanta.example.com',
      callid_aleg: '7f0a1b2c3d4e@sbc.example.com',
      via_1: 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport',
      via_1_branch: 'z9hG4bK74bf9',
      cseq: '1 INVITE',
      diversion: '<sip:+15550001111@biloxi.example.com>;reason=unconditional;counter=1',
      reason: '',
      content_type: 'application/sdp',
      auth: '',
      user_agent: 'Acme SoftPhone/4.2',
      source_ip: '192.0.2.10',
      source_port: 5060,
      destination_ip: '198.51.100.20',
      destination_port: 5080,
      contact_ip: '192.0.2.10',
      contact_port: 5060,
      originator_ip: '203.0.113.7',
      originator_port: 5062,
      expires: -1, // not a REGISTER: the Expires header of an INVITE does not count
      correlation_id: '3848276298220188511@atlanta.example.com',
      custom_field1: '',
      custom_field2: '',
      custom_field3: '',
      proto: 1,
      family: 2,
      rtp_stat: '',
      type: 1,
      node: 'homer01',
      msg: INVITE,
    };
    expect(rec).toEqual(expected);
    expect(Object.keys(rec).sort()).toEqual([...COLUMNS].sort());
    expect(rec.msg).toBe(INVITE); // the captured buffer itself, not a copy
  });

  it('derives a 200 OK to the INVITE as a reply, ignoring Server for user_agent', () => {
    const ok = sipMessage([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9;rport=5060;received=192.0.2.10',
      'From: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
      'To: <sip:+15557654321@biloxi.example.com;user=phone>;tag=8321234356',
      'Call-ID: 3848276298220188511@atlanta.example.com',
      'CSeq: 1 INVITE',
      'Contact: <sip:bob@198.51.100.20:5080>',
      'Server: Acme PBX/9',
      'Content-Type: application/sdp',
      'Content-Length: 0',
    ]);
    expect(record(ok)).toMatchObject({
      method: '200',
      reply_reason: 'OK',
      type: 2,
      ruri: '',
      ruri_user: '',
      ruri_domain: '',
      to_tag: '8321234356',
      from_tag: '9fxced76sl',
      contact_user: 'bob',
      contact_ip: '198.51.100.20',
      contact_port: 5080,
      cseq: '1 INVITE',
      user_agent: '',
      expires: -1,
      via_1_branch: 'z9hG4bK74bf9',
      callid_aleg: '',
    });
  });

  const REGISTER_HEAD = [
    'REGISTER sip:registrar.biloxi.example.com SIP/2.0',
    'Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7',
    'Max-Forwards: 70',
    'To: Bob <sip:bob@biloxi.example.com>',
    'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
    'Call-ID: 843817637684230@998sdasdh09',
    'CSeq: 1826 REGISTER',
  ];

  it('derives a REGISTER with digest credentials and an Expires header', () => {
    const auth =
      'Digest username="bob@biloxi.example.com", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:registrar.biloxi.example.com", response="245f23415f11432b3434341c022"';
    const msg = sipMessage([
      ...REGISTER_HEAD,
      'Contact: <sip:bob@192.0.2.4>;expires=60',
      `Authorization: ${auth}`,
      'Expires: 7200',
      'User-Agent: Bob/1',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      method: 'REGISTER',
      type: 1,
      ruri: 'sip:registrar.biloxi.example.com',
      ruri_user: '',
      ruri_domain: 'registrar.biloxi.example.com',
      from_user: 'bob',
      to_user: 'bob',
      from_tag: '456248',
      contact_user: 'bob',
      contact_ip: '192.0.2.4',
      contact_port: 0,
      auth_user: 'bob', // user part only
      auth,
      expires: 7200, // the Expires header wins over the Contact parameter
      cseq: '1826 REGISTER',
      user_agent: 'Bob/1',
    });
  });

  it('derives the 401 challenge to a REGISTER', () => {
    const msg = sipMessage([
      'SIP/2.0 401 Unauthorized',
      'Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;received=192.0.2.4',
      'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
      'To: Bob <sip:bob@biloxi.example.com>;tag=2493k59kd',
      'Call-ID: 843817637684230@998sdasdh09',
      'CSeq: 1826 REGISTER',
      'WWW-Authenticate: Digest realm="biloxi.example.com", qop="auth", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque=""',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      method: '401',
      reply_reason: 'Unauthorized',
      type: 2,
      to_tag: '2493k59kd',
      auth: '',
      auth_user: '',
      expires: -1, // a reply to REGISTER, but neither Expires nor Contact expires
      contact_user: '',
      contact_ip: '',
      contact_port: 0,
    });
  });

  it('takes expires from the Contact parameter when a REGISTER has no Expires header', () => {
    const msg = sipMessage([
      ...REGISTER_HEAD,
      'Contact: <sip:bob@192.0.2.4:5062;transport=tcp>;expires=3600;+sip.instance="<urn:uuid:1>"',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({ expires: 3600, contact_port: 5062 });
  });

  it('takes expires of a 200 OK to REGISTER from its first Contact', () => {
    const msg = sipMessage([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7',
      'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
      'To: Bob <sip:bob@biloxi.example.com>;tag=2493k59kd',
      'Call-ID: 843817637684230@998sdasdh09',
      'CSeq: 1827 REGISTER',
      'Contact: <sip:bob@192.0.2.4>;expires=1800, <sip:bob@[2001:db8::4]>;expires=60',
      'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({ method: '200', type: 2, expires: 1800, contact_ip: '192.0.2.4' });
  });

  it('gives -1 for a REGISTER without any expiry', () => {
    expect(record(sipMessage([...REGISTER_HEAD, 'Contact: <sip:bob@192.0.2.4>', 'Content-Length: 0'])).expires).toBe(-1);
  });

  it('clamps an Expires beyond the int column', () => {
    expect(record(sipMessage([...REGISTER_HEAD, 'Expires: 4294967295', 'Content-Length: 0'])).expires).toBe(2147483647);
  });

  it('derives a BYE with a Reason header and RTP statistics', () => {
    const msg = sipMessage([
      'BYE sip:bob@198.51.100.20:5080 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bfa',
      'From: "Alice" <sip:alice@atlanta.example.com>;tag=9fxced76sl',
      'To: <sip:+15557654321@biloxi.example.com>;tag=8321234356',
      'Call-ID: 3848276298220188511@atlanta.example.com',
      'CSeq: 2 BYE',
      'Reason: Q.850;cause=16;text="Normal call clearing"',
      'X-RTP-Stat: CS=0;PS=1433;ES=1525;OS=229280;SP=0/0;SO=0;QS=-;PR=1522;ER=1525;OR=243520;CR=0;SR=0;QR=-;PL=0,0;BL=0;LS=0;RB=0/0;SB=-/-;EN=PCMU;DE=PCMU;JI=0,0;DL=20,20,21;IP=192.0.2.10:49170,198.51.100.20:30000',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      method: 'BYE',
      ruri_user: 'bob',
      ruri_domain: '198.51.100.20',
      reason: 'Q.850;cause=16;text="Normal call clearing"',
      rtp_stat: expect.stringMatching(/^CS=0;PS=1433;.*IP=192\.0\.2\.10:49170,198\.51\.100\.20:30000$/),
      expires: -1,
    });
  });

  it('reads compact header forms', () => {
    const msg = sipMessage(
      [
        'INVITE sip:bob@biloxi.example.com SIP/2.0',
        'v: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKcompact',
        'f: Alice <sip:alice@atlanta.example.com>;tag=cf1',
        't: Bob <sip:bob@biloxi.example.com>',
        'i: compact-3848276298@atlanta.example.com',
        'CSeq: 10 INVITE',
        'm: <sip:alice@192.0.2.10:5070;transport=tcp>',
        'c: application/sdp',
        `l: ${Buffer.byteLength(SDP)}`,
      ],
      SDP,
    );
    expect(record(msg, OPTS, { proto: Proto.TCP })).toMatchObject({
      callid: 'compact-3848276298@atlanta.example.com',
      via_1_branch: 'z9hG4bKcompact',
      from_user: 'alice',
      from_tag: 'cf1',
      to_user: 'bob',
      contact_user: 'alice',
      contact_port: 5070,
      content_type: 'application/sdp',
      proto: 2,
      correlation_id: 'compact-3848276298@atlanta.example.com',
    });
  });

  it('takes the number of a tel: Request-URI as ruri_user', () => {
    const msg = sipMessage([
      'INVITE tel:+1-555-765-4321;phone-context=biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKtel',
      'From: <tel:+15551234567>;tag=t1',
      'To: <tel:+1-555-765-4321;phone-context=biloxi.example.com>',
      'Call-ID: tel-call@192.0.2.10',
      'CSeq: 1 INVITE',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      ruri: 'tel:+1-555-765-4321;phone-context=biloxi.example.com',
      ruri_user: '+1-555-765-4321',
      ruri_domain: '',
      from_user: '+15551234567',
      from_domain: '',
      from_tag: 't1',
      to_user: '+1-555-765-4321',
    });
  });

  it('stores IPv6 URI hosts in their brackets as Kamailio sipcapture does (ruri_domain, from_domain, to_domain, contact_ip); addresses and X-OIP without', () => {
    const msg = sipMessage([
      'INVITE sip:bob@[2001:db8::20] SIP/2.0',
      'Via: SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bK6',
      'From: <sip:alice@[2001:db8::10]>;tag=v6',
      'To: <sip:bob@[2001:db8::20]>',
      'Call-ID: v6-call',
      'CSeq: 1 INVITE',
      'Contact: <sip:bob@[2001:db8::5]:5070>',
      'X-OIP: [2001:db8::99]:5090',
      'Content-Length: 0',
    ]);
    const rec = record(msg, OPTS, { srcIp: '2001:db8::10', dstIp: '2001:db8::20', family: Family.IPV6 });
    expect(rec).toMatchObject({
      ruri_domain: '[2001:db8::20]',
      from_domain: '[2001:db8::10]',
      to_domain: '[2001:db8::20]',
      contact_user: 'bob',
      contact_ip: '[2001:db8::5]',
      contact_port: 5070,
      source_ip: '2001:db8::10',
      destination_ip: '2001:db8::20',
      family: 10,
      originator_ip: '2001:db8::99',
      originator_port: 5090,
    });
  });

  it('keeps the bytes of a non-UTF-8 body exactly', () => {
    const head = Buffer.from(
      [
        'MESSAGE sip:bob@biloxi.example.com SIP/2.0',
        'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKm',
        'From: <sip:alice@atlanta.example.com>;tag=m1',
        'To: <sip:bob@biloxi.example.com>',
        'Call-ID: msg-1',
        'CSeq: 1 MESSAGE',
        'Content-Type: application/octet-stream',
        'Content-Length: 6',
        '',
        '',
      ].join('\r\n'),
    );
    const body = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    const msg = Buffer.concat([head, body]);
    const rec = record(msg);
    expect(rec.msg).toBe(msg);
    expect(rec.msg.subarray(head.length).equals(body)).toBe(true);
    expect(rec).toMatchObject({ method: 'MESSAGE', callid: 'msg-1', content_type: 'application/octet-stream' });
  });

  it('builds what it can from a message missing From', () => {
    const msg = sipMessage([
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKnofrom',
      'To: <sip:bob@biloxi.example.com>',
      'Call-ID: no-from@192.0.2.10',
      'CSeq: 1 INVITE',
      'X-CID: aleg-of-no-from',
      'Content-Length: 0',
    ]);
    const r = parseSip(msg, { extraHeaders: recordExtraHeaders(OPTS) });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('missing_header');
    const rec = buildRecord(
      { sip: r.partial, srcIp: '192.0.2.10', srcPort: 5060, dstIp: '198.51.100.20', dstPort: 5060, family: 2, proto: 1, microTs: 1n, msg },
      OPTS,
    );
    expect(rec).toMatchObject({
      method: 'INVITE',
      type: 1,
      from_user: '',
      from_domain: '',
      from_tag: '',
      to_user: 'bob',
      callid: 'no-from@192.0.2.10',
      callid_aleg: 'aleg-of-no-from',
      via_1_branch: 'z9hG4bKnofrom',
      correlation_id: 'no-from@192.0.2.10',
    });
    expect(rec.msg).toBe(msg);
  });

  it('gives type 0 and no method for a message whose start line is not SIP', () => {
    const msg = Buffer.from('GET / HTTP/1.1\r\nCall-ID: x\r\n\r\n');
    const r = parseSip(msg);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const rec = buildRecord({ sip: r.partial, srcIp: '', srcPort: 0, dstIp: '', dstPort: 0, family: 2, proto: 2, microTs: 0n, msg }, OPTS);
    expect(rec).toMatchObject({ type: 0, method: '', reply_reason: '', ruri: '', callid: 'x', expires: -1 });
  });

  it('unfolds folded header lines', () => {
    const msg = sipMessage([
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;',
      '  branch=z9hG4bKfold',
      'From: "Alice"',
      '\t<sip:alice@atlanta.example.com>;tag=fold1',
      'To: <sip:bob@biloxi.example.com>',
      'Call-ID: fold@192.0.2.10',
      'CSeq: 1',
      '   INVITE',
      'User-Agent: Folded',
      '  Agent/1.0',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      via_1: 'SIP/2.0/UDP 192.0.2.10; branch=z9hG4bKfold',
      via_1_branch: 'z9hG4bKfold',
      from_user: 'alice',
      from_tag: 'fold1',
      cseq: '1 INVITE',
      user_agent: 'Folded Agent/1.0',
    });
  });

  it('keeps the whole first Via line and the first Contact of multi-value headers', () => {
    const msg = sipMessage([
      'SIP/2.0 180 Ringing',
      'Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKu1',
      'Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKlater',
      'From: <sip:alice@atlanta.example.com>;tag=mv',
      'To: <sip:bob@biloxi.example.com>;tag=mv2',
      'Call-ID: multi@192.0.2.10',
      'CSeq: 1 INVITE',
      'Contact: "Bob" <sip:bob@198.51.100.20:5080>;q=0.7, <sip:bob@198.51.100.21>;q=0.1',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      via_1: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKu1',
      via_1_branch: 'z9hG4bKp1',
      contact_user: 'bob',
      contact_ip: '198.51.100.20',
      contact_port: 5080,
      method: '180',
      reply_reason: 'Ringing',
    });
  });

  it('truncates overlong values to their column width', () => {
    const longUser = 'u'.repeat(250);
    const longTag = 't'.repeat(100);
    const emoji = '\u{1F600}';
    const msg = sipMessage([
      `INVITE sip:${longUser}@biloxi.example.com SIP/2.0`,
      `Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK${'b'.repeat(100)}`,
      `From: <sip:alice@atlanta.example.com>;tag=${longTag}`,
      'To: <sip:bob@biloxi.example.com>',
      `Call-ID: ${'c'.repeat(200)}`,
      `CSeq: ${'9'.repeat(10)} INVITE`,
      `User-Agent: ${'a'.repeat(255)}${emoji}tail`,
      'Content-Length: 0',
    ]);
    const rec = record(msg);
    expect(rec.ruri_user).toBe('u'.repeat(COLUMN_WIDTH.ruri_user));
    expect(rec.ruri).toBe(`sip:${'u'.repeat(COLUMN_WIDTH.ruri - 4)}`);
    expect(rec.from_tag).toBe('t'.repeat(COLUMN_WIDTH.from_tag));
    expect(rec.via_1_branch).toHaveLength(COLUMN_WIDTH.via_1_branch);
    expect(rec.callid).toBe('c'.repeat(COLUMN_WIDTH.callid));
    expect(rec.correlation_id).toBe('c'.repeat(200)); // fits its 256
    expect(rec.cseq).toBe('9999999999 INVITE');
    expect(rec.user_agent).toBe('a'.repeat(255)); // the emoji would straddle the limit: dropped whole
    for (const [column, width] of Object.entries(COLUMN_WIDTH)) {
      expect((rec[column as keyof typeof COLUMN_WIDTH] as string).length).toBeLessThanOrEqual(width);
    }
    expect(rec.msg).toBe(msg);
  });

  it('fills callid_aleg from the first configured header present and the custom fields from theirs', () => {
    const opts: BuildRecordOptions = {
      captureNode: 'homer01',
      callidAlegHeaders: ['X-CID', 'X-Leg-Call-ID', 'P-Charging-Vector'],
      customHeaders: ['X-Account', '', 'Subject'],
    };
    const msg = sipMessage([
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKc',
      'From: <sip:alice@atlanta.example.com>;tag=c1',
      'To: <sip:bob@biloxi.example.com>',
      'Call-ID: custom@192.0.2.10',
      'CSeq: 1 INVITE',
      'P-Charging-Vector: icid-value=1234bc9876e;icid-generated-at=192.0.6.8',
      'x-leg-call-id: leg-b-5678',
      'X-Account: ACME-42',
      's: Weekly sync',
      'Content-Length: 0',
    ]);
    expect(record(msg, opts)).toMatchObject({
      callid_aleg: 'leg-b-5678', // X-CID absent; X-Leg-Call-ID comes before P-Charging-Vector in the settings
      custom_field1: 'ACME-42',
      custom_field2: '',
      custom_field3: 'Weekly sync',
    });
  });

  it('writes node as capture_node:id when the HEP packet carries an agent id, and the HEP correlation id', () => {
    expect(record(INVITE, OPTS, { captureId: 2001, correlationId: 'corr-42' })).toMatchObject({
      node: 'homer01:2001',
      correlation_id: 'corr-42',
    });
    expect(record(INVITE, OPTS, { captureId: 0, correlationId: '' })).toMatchObject({
      node: 'homer01',
      correlation_id: '3848276298220188511@atlanta.example.com',
    });
  });

  it('takes auth and auth_user from Proxy-Authorization before Authorization', () => {
    const proxy = 'Digest username="carol@chicago.example.com", realm="proxy", nonce="n1", uri="sip:bob@biloxi.example.com", response="r1"';
    const msg = sipMessage([
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKpa',
      'From: <sip:carol@chicago.example.com>;tag=pa',
      'To: <sip:bob@biloxi.example.com>',
      'Call-ID: pa@192.0.2.10',
      'CSeq: 2 INVITE',
      'Authorization: Digest username="carol-ua", realm="ua", nonce="n2", uri="sip:bob@biloxi.example.com", response="r2"',
      `Proxy-Authorization: ${proxy}`,
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({ auth: proxy, auth_user: 'carol' });
  });

  it('reads UTF-8 header text as characters', () => {
    const msg = sipMessage([
      'INVITE sip:bob@biloxi.example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKu',
      'From: "Jürgen Müller" <sip:jürgen@münchen.example.com>;tag=ü1',
      'To: <sip:bob@biloxi.example.com>',
      'Call-ID: utf8@192.0.2.10',
      'CSeq: 1 INVITE',
      'User-Agent: Téléphone/1.0',
      'Content-Length: 0',
    ]);
    expect(record(msg)).toMatchObject({
      from_user: 'jürgen',
      from_domain: 'münchen.example.com',
      from_tag: 'ü1',
      user_agent: 'Téléphone/1.0',
    });
  });
});

describe('columns located in msg', () => {
  /** The string columns whose bytes the record says lie in msg; fails when one of them does not hold exactly those bytes. */
  function located(rec: CaptureRecord): string[] {
    const inMsg = columnsInMsg(rec);
    expect(inMsg).toBeDefined();
    if (inMsg === undefined) return [];
    expect(inMsg.msg).toBe(rec.msg);
    expect(inMsg.offsets).toHaveLength(STRING_COLUMNS.length);
    const found: string[] = [];
    STRING_COLUMNS.forEach((column, i) => {
      const at = inMsg.offsets[i];
      expect(inMsg.values[i], column).toBe(rec[column]);
      if (at < 0 || rec[column].length === 0) return;
      expect(rec.msg.toString('latin1', at, at + rec[column].length), column).toBe(rec[column]);
      found.push(column);
    });
    return found;
  }

  it('tells where every column cut from the message lies in it', () => {
    expect(located(record(INVITE))).toEqual([
      'method',
      'ruri',
      'ruri_user',
      'ruri_domain',
      'from_user',
      'from_domain',
      'from_tag',
      'to_user',
      'to_domain',
      'pid_user',
      'contact_user',
      'callid',
      'via_1',
      'via_1_branch',
      'cseq',
      'diversion',
      'content_type',
      'user_agent',
      'contact_ip',
      'correlation_id',
    ]);
  });

  it('locates the reason phrase of a reply but not its status code, and auth of either header', () => {
    const reply = sipMessage([
      'SIP/2.0 401 Unauthorized',
      'Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKr',
      'From: <sip:a@h>;tag=1',
      'To: <sip:a@h>;tag=2',
      'Call-ID: r@h',
      'CSeq: 1 REGISTER',
      'Authorization: Digest username="alice@h", realm="h"',
      'Content-Length: 0',
    ]);
    const rec = record(reply);
    expect(rec).toMatchObject({ method: '401', reply_reason: 'Unauthorized', auth_user: 'alice' });
    expect(located(rec)).toEqual(expect.arrayContaining(['reply_reason', 'auth', 'auth_user', 'to_tag']));
    expect(located(rec)).not.toContain('method');
  });

  it('locates values cut to their column width', () => {
    const msg = sipMessage([
      `INVITE sip:${'u'.repeat(250)}@biloxi.example.com SIP/2.0`,
      `Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK${'b'.repeat(100)}`,
      `From: <sip:alice@atlanta.example.com>;tag=${'t'.repeat(100)}`,
      'To: <sip:bob@biloxi.example.com>',
      `Call-ID: ${'c'.repeat(200)}`,
      'CSeq: 1 INVITE',
      'Content-Length: 0',
    ]);
    const rec = record(msg);
    expect(rec.ruri_user).toHaveLength(COLUMN_WIDTH.ruri_user);
    expect(located(rec)).toEqual(expect.arrayContaining(['ruri', 'ruri_user', 'from_tag', 'via_1_branch', 'callid', 'correlation_id']));
  });

  it('does not locate the correlation id of the HEP packet, the addresses, the node or the header columns of the options', () => {
    const opts: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: ['X-CID'], customHeaders: ['User-Agent'] };
    const rec = record(INVITE, opts, { correlationId: 'corr-1', captureId: 7 });
    expect(rec).toMatchObject({
      correlation_id: 'corr-1',
      callid_aleg: '7f0a1b2c3d4e@sbc.example.com',
      custom_field1: 'Acme SoftPhone/4.2',
      node: 'homer01:7',
    });
    const found = located(rec);
    for (const c of ['correlation_id', 'callid_aleg', 'custom_field1', 'source_ip', 'destination_ip', 'originator_ip', 'node'])
      expect(found).not.toContain(c);
  });

  it('locates nothing when the header section is not ASCII, or msg is not the buffer that was parsed', () => {
    const utf8 = sipMessage([
      'INVITE sip:bob@h SIP/2.0',
      'Via: SIP/2.0/UDP h;branch=z9hG4bKu',
      'From: <sip:jürgen@h>;tag=1',
      'To: <sip:bob@h>',
      'Call-ID: u@h',
      'CSeq: 1 INVITE',
    ]);
    expect(columnsInMsg(record(utf8))).toBeUndefined();
    const copy = Buffer.from(INVITE);
    expect(
      columnsInMsg(
        buildRecord(
          { sip: parsed(INVITE, OPTS), srcIp: '', srcPort: 0, dstIp: '', dstPort: 0, family: 2, proto: 1, microTs: 0n, msg: copy },
          OPTS,
        ),
      ),
    ).toBeUndefined();
  });

  it('is invisible: the record has exactly the columns, and a copy of it is a plain record', () => {
    const rec = record(INVITE);
    expect(Object.keys(rec).sort()).toEqual([...COLUMNS].sort());
    expect(columnsInMsg({ ...rec })).toBeUndefined();
  });
});
