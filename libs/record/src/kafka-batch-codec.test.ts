import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, splitRecordValue } from './kafka-batch-codec';
import { decodeRecord, encodeRecord } from './kafka-codec';
import { sampleRecord } from './sample-record';

const records = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    Buffer.from(encodeRecord(sampleRecord({ callid: `call-${i}@test`, msg: Buffer.from(`OPTIONS sip:${i}@b SIP/2.0\r\n\r\n`) }))),
  );

describe('record batch codec', () => {
  it('packs records in order and splits them back byte for byte', () => {
    const rs = records(3);
    const split = splitRecordValue(encodeRecordBatch(rs));
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.records.map((r) => r.toString('hex'))).toEqual(rs.map((r) => r.toString('hex')));
    expect(
      split.records.map((r) => {
        const d = decodeRecord(r);
        return d.ok && d.record.callid;
      }),
    ).toEqual(['call-0@test', 'call-1@test', 'call-2@test']);
  });

  it('reads a single version 1 record as a batch of one', () => {
    const [one] = records(1);
    const split = splitRecordValue(one);
    expect(split.ok && split.records.length === 1 && split.records[0].equals(one)).toBe(true);
  });

  it('holds an empty batch', () => {
    expect(splitRecordValue(encodeRecordBatch([]))).toEqual({ ok: true, records: [] });
  });

  it('reports every truncation and trailing bytes instead of throwing', () => {
    const whole = encodeRecordBatch(records(2));
    for (let n = 0; n < whole.length; n++) {
      const r = splitRecordValue(whole.subarray(0, n));
      expect(r.ok, `prefix of ${n} bytes`).toBe(false);
    }
    const trailing = splitRecordValue(Buffer.concat([whole, Buffer.from([0])]));
    expect(trailing.ok === false && trailing.message).toMatch(/1 bytes after its 2 records/);
    const unknown = splitRecordValue(Buffer.from([9, 0, 0]));
    expect(unknown.ok === false && unknown.message).toMatch(/version 9/);
  });
});
