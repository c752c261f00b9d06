import { describe, expect, it } from 'vitest';
import { buildRecord, decodeRecord, encodeRecord, readRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { parseSip } from '@sipcap/sip';
import { ByteWriter } from './byte-writer';
import { encodeCopyBinary } from './pg-copy-binary';

const SIP = Buffer.from(
  'INVITE sip:+15551234@voip.example.com;user=phone SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK-1\r\n' +
    'From: "Alice" <sip:alice@voip.example.com>;tag=a1\r\nTo: <sip:+15551234@voip.example.com>\r\nCall-ID: c1@host\r\n' +
    'CSeq: 1 INVITE\r\nContact: <sip:alice@192.168.1.2:5060>\r\nUser-Agent: Yealink\r\nContent-Length: 0\r\n\r\n',
);

function built(msg = SIP): CaptureRecord {
  const p = parseSip(msg);
  if (!p.ok) throw new Error(p.message);
  return buildRecord(
    {
      sip: p.sip,
      srcIp: '192.0.2.1',
      srcPort: 5060,
      dstIp: '10.0.0.5',
      dstPort: 5070,
      family: 2,
      proto: 1,
      microTs: 1_700_000_000_123_456n,
      msg,
    },
    { captureNode: 'n1', callidAlegHeaders: [], customHeaders: [] },
  );
}

/** The record read from its Kafka value, and the same value decoded into strings. */
function both(r: CaptureRecord): [CaptureRecord, CaptureRecord] {
  const value = encodeRecord(r);
  const read = readRecord(Buffer.from(value));
  const decoded = decodeRecord(Buffer.from(value));
  if (!read.ok || !decoded.ok) throw new Error('does not decode');
  return [read.record, decoded.record];
}

describe('encodeCopyBinary', () => {
  it('writes a record read from its Kafka value (bytes copied) exactly as the decoded record', () => {
    const cases: CaptureRecord[] = [
      built(), // version 3: columns refer to msg
      sampleRecord(), // version 1: columns written out
      sampleRecord({
        from_user: 'bj\u00f6rk \u4e2d\u6587 \u{1f600}',
        to_user: 'nul\0in\0side',
        user_agent: "quote' back\\slash",
        msg: Buffer.from([0x49, 0, 0xff, 0x41]),
      }),
      { ...built(), callid: 'changed after building' }, // version 3 with one column written out
      built(Buffer.from(SIP.toString('latin1').replace('Yealink', 'Yealink\u00e9'), 'latin1')), // not ASCII: version 1
    ];
    for (const r of cases) {
      const [read, decoded] = both(r);
      expect(encodeCopyBinary([read, read])).toEqual(encodeCopyBinary([decoded, decoded]));
    }
  });

  it('reads a version 3 reference to non-ASCII bytes as latin1, as the decoder does', () => {
    const r = built();
    const value = Buffer.from(encodeRecord(r));
    // Make a byte the method column refers to non-ASCII: both paths must still agree.
    value[value.indexOf('INVITE')] = 0xc9;
    const read = readRecord(value);
    const decoded = decodeRecord(value);
    expect(read.ok && decoded.ok).toBe(true);
    if (!read.ok || !decoded.ok) return;
    expect(decoded.record.method).toBe('\u00c9NVITE');
    expect(encodeCopyBinary([read.record])).toEqual(encodeCopyBinary([decoded.record]));
  });

  it('writes into a reused writer from its start', () => {
    const [read] = both(built());
    const w = new ByteWriter(16);
    const first = Buffer.from(encodeCopyBinary([read, read, read], w));
    w.reset();
    expect(encodeCopyBinary([read], w)).toEqual(encodeCopyBinary([read]));
    expect(first.length).toBeGreaterThan(encodeCopyBinary([read]).length);
  });
});
