import { describe, expect, it } from 'vitest';
import { parseSip } from '@sipcap/sip';
import { buildRecord } from './build-record';
import { COLUMNS, STRING_COLUMNS, type CaptureRecord } from './capture-record';
import { COLUMN_WORDS, EncodedRecord, LATIN1, readRecord } from './encoded-record';
import { decodeRecord, encodeRecord } from './kafka-codec';
import { sampleRecord } from './sample-record';

const msg = Buffer.from(
  'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-7\r\nFrom: <sip:alice@example.com>;tag=f1\r\n' +
    'To: <sip:bob@example.com>\r\nCall-ID: abc@10.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@10.0.0.1:5062>;expires=60\r\nContent-Length: 0\r\n\r\n',
);

function built(): CaptureRecord {
  const p = parseSip(msg);
  if (!p.ok) throw new Error(p.message);
  return buildRecord(
    {
      sip: p.sip,
      srcIp: '10.0.0.1',
      srcPort: 5060,
      dstIp: '10.0.0.2',
      dstPort: 5070,
      family: 2,
      proto: 2,
      microTs: 1_712_345_678_000_001n,
      msg,
    },
    { captureNode: 'n1', callidAlegHeaders: [], customHeaders: [] },
  );
}

const cases: [string, CaptureRecord][] = [
  ['version 3 (columns refer to msg)', built()],
  [
    'version 1 (columns written out)',
    sampleRecord({ from_user: 'Jürgen ☎ 😀', reason: 'a\u0000b', expires: -1, originator_port: 65535, type: 2 }),
  ],
];

describe('EncodedRecord', () => {
  it.each(cases)('reads every column as the decoder does: %s', (_, r) => {
    const value = encodeRecord(r);
    const read = readRecord(value);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.record).toBeInstanceOf(EncodedRecord);
    for (const c of COLUMNS) expect(read.record[c], c).toEqual(r[c]);
    expect(read.record.msg.buffer).toBe(value.buffer); // a view of the value, not a copy
  });

  it.each(cases)('locates each column in the value: %s', (_, r) => {
    const read = readRecord(encodeRecord(r));
    if (!read.ok) throw new Error(read.message);
    const words = new Int32Array(COLUMN_WORDS);
    read.record.columns(words);
    const v = read.record.value;
    COLUMNS.forEach((c, i) => {
      if (c === 'micro_ts' || c === 'msg') return;
      const [a, b] = [words[2 * i], words[2 * i + 1]];
      if (!(STRING_COLUMNS as readonly string[]).includes(c)) return expect(a, c).toBe(r[c]);
      const text = b & LATIN1 ? v.toString('latin1', a, a + (b ^ LATIN1)) : v.toString('utf8', a, a + b);
      expect(text, c).toBe(r[c]);
    });
  });

  it('refuses what the decoder refuses, with the same reason', () => {
    const value = encodeRecord(built());
    for (let i = 0; i < value.length; i += 7) {
      const cut = value.subarray(0, i);
      expect(readRecord(cut)).toEqual(decodeRecord(cut));
    }
    const bad = Buffer.from(value);
    bad[0] = 9;
    expect(readRecord(bad)).toMatchObject({ ok: false, reason: 'unknown_version' });
  });
});
