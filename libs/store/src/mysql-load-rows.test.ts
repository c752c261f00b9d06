import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, readRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { CaptureDateText } from './capture-date';
import { mysqlLoadRows } from './mysql-load-rows';
import { MYSQL_ROW_COLUMNS } from './mysql-write-rows';

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
  it('ends fields with 0x1f and lines with 0x1e; escapes those, backslash and NUL; a SIP message with none is copied as it is', () => {
    const r = sampleRecord({ from_user: 'a\x1fb\x1ec\\d\0e\tf\ng', msg: Buffer.from('x\x1fy\x1ez\\\0') });
    // Split where a separator is not escaped (no value here ends in a backslash).
    // eslint-disable-next-line no-control-regex -- 0x1e and 0x1f are the LOAD DATA line and field separators
    const lineEnd = /(?<!\\)\x1e/;
    const lines = mysqlLoadRows([r, r], dates).toString('utf8').split(lineEnd);
    expect(lines).toHaveLength(3); // two rows, each ended by 0x1e
    // eslint-disable-next-line no-control-regex -- 0x1e and 0x1f are the LOAD DATA line and field separators
    expect(lines[0].split(/(?<!\\)\x1f/)).toHaveLength(MYSQL_ROW_COLUMNS.length); // date and the record columns, msg last
    expect(lines[0]).toContain('\x1fa\\\x1fb\\\x1ec\\\\d\\0e\tf\ng\x1f');
    expect(lines[0].endsWith('\x1fx\\\x1fy\\\x1ez\\\\\\0')).toBe(true);
    const sip = Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP\t1.2.3.4\r\n\r\n');
    const line = mysqlLoadRows([sampleRecord({ msg: sip })], dates);
    expect(line.subarray(line.length - 1 - sip.length, line.length - 1)).toEqual(sip);
  });

  it('writes a record read from its Kafka value (bytes copied, not decoded) exactly as the decoded record', () => {
    const cases: CaptureRecord[] = [
      sampleRecord(),
      sampleRecord({
        from_user: 'bj\u00f6rk \u4e2d\u6587 \u{1f600}',
        to_user: 'tab\there',
        user_agent: "quote' back\\slash",
        msg: Buffer.from([0x49, 0, 0xff, 0x41]),
      }),
    ];
    for (const r of cases) {
      const [read, decoded] = readAndDecoded(r);
      expect(read.constructor.name).toBe('EncodedRecord');
      expect(mysqlLoadRows([read, read], dates)).toEqual(mysqlLoadRows([decoded, decoded], dates));
    }
  });
});
