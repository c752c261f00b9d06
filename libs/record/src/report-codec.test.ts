import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, splitRecordValue } from './kafka-batch-codec';
import { decodeRecord, encodeRecord } from './kafka-codec';
import { decodeReportRecord, encodeReportRecord, REPORT_RECORD_VERSION } from './report-codec';
import { buildReportRecord, isReportRecord, REPORT_PAYLOAD_TYPES } from './report-record';
import { sampleRecord } from './sample-record';

const report = buildReportRecord(
  {
    kind: 'rtcp',
    type: 3,
    msg: '{"type":200,"ssrc":1,"sdes_information":[{"type":1,"text":"ünïcode@host"}]}',
    srcIp: '2001:db8::1',
    srcPort: 30000,
    dstIp: '192.0.2.7',
    dstPort: 30001,
    family: 10,
    proto: 1,
    microTs: 1_764_000_000_123_456n,
    correlationId: 'a84b4c76e66710@pc33.atlanta.example.com',
    captureId: 2001,
  },
  'homer01',
);

describe('report record encoding (version 4)', () => {
  it('round-trips every column', () => {
    const v = encodeReportRecord(report);
    expect(v[0]).toBe(REPORT_RECORD_VERSION);
    expect(decodeReportRecord(v)).toEqual({ ok: true, record: report });
    expect(report.node).toBe('homer01:2001');
  });

  it('travels in a record batch beside SIP records, each decoded by its own codec', () => {
    const sip = sampleRecord();
    const split = splitRecordValue(encodeRecordBatch([encodeRecord(sip), encodeReportRecord(report), encodeRecord(sip)]));
    expect(split.ok).toBe(true);
    if (!split.ok) return;
    expect(split.records.map((r) => r[0] === REPORT_RECORD_VERSION)).toEqual([false, true, false]);
    expect(decodeReportRecord(split.records[1])).toEqual({ ok: true, record: report });
    const back = decodeRecord(split.records[2]);
    expect(back.ok && back.record.callid).toBe(sip.callid);
    // A single report value is its own record.
    expect(splitRecordValue(encodeReportRecord(report))).toMatchObject({ ok: true, records: [expect.any(Buffer)] });
  });

  it('refuses every truncation and an unknown kind, never throws', () => {
    const v = encodeReportRecord(report);
    for (let n = 0; n < v.length; n++) expect(decodeReportRecord(v.subarray(0, n)).ok, `cut at ${n}`).toBe(false);
    const bad = Buffer.from(v);
    bad[1] = 9;
    expect(decodeReportRecord(bad)).toMatchObject({ ok: false, reason: 'bad_kind' });
    expect(decodeReportRecord(encodeRecord(sampleRecord()))).toMatchObject({ ok: false, reason: 'unknown_version' });
  });

  it('tells report records from SIP records', () => {
    expect(isReportRecord(report)).toBe(true);
    expect(isReportRecord(sampleRecord())).toBe(false);
  });

  it('maps HEP payload types to Kamailio tables and type numbers', () => {
    expect([5, 32, 34, 35, 99, 100].map((t) => REPORT_PAYLOAD_TYPES.get(t))).toMatchObject([
      { kind: 'rtcp', type: 3 },
      { kind: 'report', type: 2 },
      { kind: 'report', type: 34 },
      { kind: 'report', type: 35 },
      { kind: 'report', type: 4 },
      { kind: 'logs', type: 5 },
    ]);
  });
});
