import { describe, expect, it } from 'vitest';
import { parseSip } from '@sipcap/sip';
import { buildRecord, recordExtraHeaders, type BuildRecordOptions } from './build-record';
import { COLUMNS, type CaptureRecord } from './capture-record';
import { decodeRecord, encodeRecord, RECORD_ENCODING_VERSION, RECORD_MSG_REF_VERSION, STRING_COLUMNS } from './kafka-codec';
import { sampleRecord } from './sample-record';

describe('record Kafka codec', () => {
  it('round-trips every column', () => {
    const r = sampleRecord({
      expires: 3600,
      contact_port: 5070,
      originator_ip: '2001:db8::1',
      originator_port: 5080,
      proto: 2,
      family: 10,
      type: 2,
      micro_ts: 1_800_000_000_000_001n,
    });
    const d = decodeRecord(encodeRecord(r));
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    for (const c of COLUMNS) expect(d.record[c], c).toEqual(r[c]);
  });

  it('covers every column except the fixed ones as a string', () => {
    expect(STRING_COLUMNS.length + 10).toBe(COLUMNS.length);
  });

  it('keeps msg bytes exactly, also when they are not UTF-8', () => {
    const msg = Buffer.concat([Buffer.from('MESSAGE sip:a@b SIP/2.0\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80])]);
    const d = decodeRecord(encodeRecord(sampleRecord({ msg })));
    expect(d.ok && d.record.msg.equals(msg)).toBe(true);
  });

  it('keeps non-ASCII and hostile header text', () => {
    const r = sampleRecord({ from_user: 'Jürgen ☎ 😀', user_agent: `'; DROP TABLE sip_capture; --\\\t"`, reason: 'a\u0000b' });
    const d = decodeRecord(encodeRecord(r));
    expect(d.ok && [d.record.from_user, d.record.user_agent, d.record.reason]).toEqual([r.from_user, r.user_agent, r.reason]);
  });

  it('encodes a large message (64 KiB) without corrupting the next encode', () => {
    const big = sampleRecord({ msg: Buffer.alloc(400_000, 0x41) });
    const small = sampleRecord();
    const eb = encodeRecord(big);
    const es = encodeRecord(small);
    expect(decodeRecord(eb).ok && decodeRecord(es).ok).toBe(true);
    const d = decodeRecord(eb);
    expect(d.ok && d.record.msg.length).toBe(400_000);
  });

  it('rejects an unknown version and every truncation, never throwing', () => {
    const e = encodeRecord(sampleRecord());
    const bad = Buffer.from(e);
    bad[0] = 9;
    expect(decodeRecord(bad)).toMatchObject({ ok: false, reason: 'unknown_version' });
    for (let i = 0; i < e.length; i++) expect(decodeRecord(e.subarray(0, i)).ok).toBe(false);
  });
});

describe('record Kafka codec, version 3 (columns referring to msg)', () => {
  const OPTS: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: ['X-CID'], customHeaders: ['Subject'] };

  function built(msg: Buffer, correlationId?: string): CaptureRecord {
    const r = parseSip(msg, { extraHeaders: recordExtraHeaders(OPTS) });
    const sip = r.ok ? r.sip : r.partial;
    return buildRecord(
      {
        sip,
        srcIp: '2001:db8::10',
        srcPort: 5060,
        dstIp: '198.51.100.20',
        dstPort: 5080,
        family: 10,
        proto: 2,
        microTs: 1_712_345_678_000_001n,
        correlationId,
        captureId: 2001,
        msg,
      },
      OPTS,
    );
  }

  /** Decodes `value` and checks that it gives back every column of `r`, as a plain object. */
  function roundTrip(r: CaptureRecord, value: Buffer): void {
    const d = decodeRecord(value);
    expect(d.ok, d.ok ? '' : d.message).toBe(true);
    if (!d.ok) return;
    for (const c of COLUMNS) expect(d.record[c], c).toEqual(r[c]);
    expect(Object.getPrototypeOf(d.record)).toBe(Object.prototype);
    expect(Object.keys(d.record).sort()).toEqual([...COLUMNS].sort());
  }

  const lines = (ls: string[], body: Buffer | string = '') => Buffer.concat([Buffer.from(ls.join('\r\n') + '\r\n\r\n'), Buffer.from(body)]);
  const MESSAGES: [string, Buffer][] = [
    [
      'INVITE with SDP',
      lines(
        [
          'INVITE sip:+15551234567@voip.example.com;user=phone SIP/2.0',
          'Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-1;rport',
          'From: "Alice" <sip:alice@voip.example.com>;tag=6a3f',
          'To: <sip:+15551234567@voip.example.com;user=phone>',
          'Call-ID: 1a8f@198.51.100.10',
          'CSeq: 1 INVITE',
          'Contact: <sip:alice@[2001:db8::5]:5070>',
          'P-Asserted-Identity: <tel:+15550001111>',
          'X-CID: leg-1',
          's: compact subject',
          'User-Agent: Zoiper rv2.10.8.2',
          'Content-Type: application/sdp',
          'Content-Length: 10',
        ],
        'v=0\r\ns=-\r\n',
      ),
    ],
    [
      'reply with a non-UTF-8 body',
      lines(
        [
          'SIP/2.0 486 Busy Here',
          'v: SIP/2.0/TCP h;branch=z9hG4bKr',
          'f: <sip:a@h>;tag=1',
          't: <sip:b@h>;tag=2',
          'i: r@h',
          'CSeq: 7 INVITE',
          'Reason: Q.850;cause=17',
        ],
        Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]),
      ),
    ],
    [
      'REGISTER with folded and overlong headers',
      lines([
        'REGISTER sip:voip.example.com SIP/2.0',
        'Via: SIP/2.0/UDP h;',
        '  branch=z9hG4bKfold',
        'From: <sip:alice@voip.example.com>;tag=r',
        'To: <sip:alice@voip.example.com>',
        `Call-ID: ${'c'.repeat(300)}`,
        'CSeq: 3 REGISTER',
        'Expires: 3600',
        'Authorization: Digest username="alice", realm="voip.example.com", nonce="5f1a", uri="sip:voip.example.com", response="0a4f"',
      ]),
    ],
    ['not SIP (partial record)', lines(['GET / HTTP/1.1', 'Call-ID: x', 'User-Agent: curl/8'])],
  ];

  it.each(MESSAGES)('round-trips every column of a built record: %s', (_name, msg) => {
    const r = built(msg);
    const value = encodeRecord(r);
    expect(value[0]).toBe(RECORD_MSG_REF_VERSION);
    roundTrip(r, value);
    roundTrip(built(msg, 'corr-9'), encodeRecord(built(msg, 'corr-9')));
  });

  it('is smaller than version 1 for the same record', () => {
    const r = built(MESSAGES[0][1]);
    expect(encodeRecord(r).length).toBeLessThan(encodeRecord({ ...r }).length);
    expect(encodeRecord({ ...r })[0]).toBe(RECORD_ENCODING_VERSION);
  });

  it('writes non-ASCII and non-UTF-8 header text out (version 1), byte for byte', () => {
    const utf8 = lines([
      'INVITE sip:jürgen@münchen.example SIP/2.0',
      'Via: SIP/2.0/UDP h;branch=z9hG4bKu',
      'From: "Jürgen" <sip:jürgen@h>;tag=ü',
      'To: <sip:b@h>',
      'Call-ID: u@h',
      'CSeq: 1 INVITE',
    ]);
    const latin1 = Buffer.concat([
      lines([
        'MESSAGE sip:b@h SIP/2.0',
        'Via: SIP/2.0/UDP h;branch=z9hG4bKl',
        'From: <sip:a@h>;tag=1',
        'To: <sip:b@h>',
        'Call-ID: l@h',
        'CSeq: 1 MESSAGE',
      ]).subarray(0, -2),
      Buffer.from('User-Agent: A\xe9B\r\n\r\n', 'latin1'),
    ]);
    for (const msg of [utf8, latin1]) {
      const r = built(msg);
      const value = encodeRecord(r);
      expect(value[0]).toBe(RECORD_ENCODING_VERSION);
      roundTrip(r, value);
    }
    expect(built(utf8).from_user).toBe('jürgen');
    expect(built(latin1).user_agent).toBe('A\u00e9B');
  });

  it('writes out a column changed after buildRecord, and refers to nothing when msg was replaced', () => {
    const r = built(MESSAGES[0][1]);
    r.callid = 'x'.repeat(r.callid.length);
    r.from_user = 'Jürgen ☎';
    roundTrip(r, encodeRecord(r));
    const other = built(MESSAGES[0][1]);
    other.msg = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n\r\n');
    const value = encodeRecord(other);
    expect(value[0]).toBe(RECORD_ENCODING_VERSION);
    roundTrip(other, value);
  });

  it('is not disturbed by the records encoded after it', () => {
    const values = MESSAGES.map(([, msg]) => encodeRecord(built(msg)));
    MESSAGES.forEach(([, msg], i) => roundTrip(built(msg), values[i]));
  });

  it('rejects every truncation and a reference outside msg, never throwing', () => {
    const value = encodeRecord(built(MESSAGES[0][1]));
    for (let i = 0; i < value.length; i++) expect(decodeRecord(value.subarray(0, i)).ok, `prefix of ${i}`).toBe(false);
    expect(decodeRecord(Buffer.concat([value, Buffer.from([0])]))).toMatchObject({ ok: false, reason: 'truncated' });
    // The first string column (method) refers to msg: point it past the end.
    const msgLength = value.readUInt32BE(24);
    const method = 28 + msgLength;
    expect(value.readUInt16BE(method) & 0x8000).toBe(0x8000);
    const bad = Buffer.from(value);
    bad.writeUInt32BE(msgLength - 2, method + 2);
    expect(decodeRecord(bad)).toMatchObject({ ok: false, reason: 'bad_reference' });
  });
});
