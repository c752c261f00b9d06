import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, readRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { CaptureDateText } from './capture-date';
import { mysqlLoadRows } from './mysql-load-rows';

const dates = new CaptureDateText();

/** The record read from its Kafka value (an EncodedRecord), and the same value decoded into strings. */
function readAndDecoded(r: CaptureRecord): [CaptureRecord, CaptureRecord] {
  const value = encodeRecord(r);
  const read = readRecord(Buffer.from(value));
  const decoded = decodeRecord(Buffer.from(value));
  if (!read.ok || !decoded.ok) throw new Error('does not decode');
  return [read.record, decoded.record];
}

describe('mysqlLoadRows', () => {
  it('escapes tab, newline, backslash and NUL in text fields and msg; one line per row', () => {
    const r = sampleRecord({ from_user: 'a\tb\nc\\d\0e', msg: Buffer.from('x\ty\nz\\\0') });
    const lines = mysqlLoadRows([r, r], dates).toString('utf8').split('\n');
    expect(lines).toHaveLength(3); // two rows, each ended by a newline
    expect(lines[0]).toContain('\ta\\tb\\nc\\\\d\\0e\t');
    expect(lines[0].endsWith('\tx\\ty\\nz\\\\\\0')).toBe(true);
  });

  it('writes a record read from its Kafka value (bytes copied, not decoded) exactly as the decoded record', () => {
    const cases: CaptureRecord[] = [
      sampleRecord(),
      sampleRecord({ from_user: 'bj\u00f6rk \u4e2d\u6587 \u{1f600}', to_user: 'tab\there', user_agent: "quote' back\\slash", msg: Buffer.from([0x49, 0, 0xff, 0x41]) }),
    ];
    for (const r of cases) {
      const [read, decoded] = readAndDecoded(r);
      expect(read.constructor.name).toBe('EncodedRecord');
      expect(mysqlLoadRows([read, read], dates)).toEqual(mysqlLoadRows([decoded, decoded], dates));
    }
  });
});
