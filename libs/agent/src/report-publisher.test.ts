import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { decodeReportRecord } from '@sipcap/record';
import { RTCP_FIXTURES } from '../../rtcp/src/test-fixtures';
import { REPORT_DROP_REASONS, ReportPublisher, type CapturedReport } from './report-publisher';

function setup(on = true) {
  const sent: { key: string; value: Buffer }[] = [];
  const registry = new Registry();
  const p = new ReportPublisher({
    captureNode: 'homer01',
    sink: { publish: (key, value) => (sent.push({ key, value }), true) },
    flag: { isOn: () => on },
    log: pino({ level: 'silent' }),
    registry,
  });
  return { p, sent, registry };
}

const base = (payloadType: number, payload: Buffer | string, correlationId: string | undefined = 'call-7@example.com'): CapturedReport => ({
  payloadType,
  payload: Buffer.from(payload),
  srcIp: '192.0.2.1',
  srcPort: 30000,
  dstIp: '192.0.2.2',
  dstPort: 30001,
  family: 2,
  proto: 1,
  microTs: 1_764_000_000_000_000n,
  correlationId,
  captureId: 7,
});

const decoded = (v: Buffer) => {
  const r = decodeReportRecord(v);
  if (!r.ok) throw new Error(r.message);
  return r.record;
};

describe('ReportPublisher', () => {
  it('publishes binary RTCP as JSON into rtcp records, keyed by the correlation id', () => {
    const { p, sent } = setup();
    expect(p.capture(base(5, RTCP_FIXTURES.srSdes))).toBe('published');
    expect(sent[0].key).toBe('call-7@example.com');
    const r = decoded(sent[0].value);
    expect(r).toMatchObject({ kind: 'rtcp', type: 3, correlation_id: 'call-7@example.com', node: 'homer01:7', source_port: 30000 });
    expect(JSON.parse(r.msg)).toMatchObject({ type: 200, ssrc: 0x5e1a2b3c, report_blocks: [{ fraction_lost: 26, packets_lost: 42 }] });
  });

  it('keeps JSON RTCP, reports and logs exactly as received, with Kamailio type numbers', () => {
    const { p, sent } = setup();
    const json = ' {"type":201, "ssrc":7,"report_blocks":[]}';
    for (const t of [5, 32, 34, 35, 99]) expect(p.capture(base(t, json))).toBe('published');
    expect(p.capture(base(100, 'ERROR: media timeout'))).toBe('published');
    expect(sent.map((s) => decoded(s.value)).map((r) => [r.kind, r.type, r.msg])).toEqual([
      ['rtcp', 3, json],
      ['report', 2, json],
      ['report', 34, json],
      ['report', 35, json],
      ['report', 4, json],
      ['logs', 5, 'ERROR: media timeout'],
    ]);
  });

  it('counts and drops what cannot be stored, by reason', async () => {
    const { p, sent, registry } = setup();
    expect(p.capture({ ...base(5, RTCP_FIXTURES.srSdes), correlationId: undefined })).toBe('no_correlation_id');
    expect(p.capture(base(5, RTCP_FIXTURES.srSdes, ''))).toBe('no_correlation_id');
    expect(p.capture(base(5, Buffer.from([0x40, 0xc8, 0, 0])))).toBe('rtcp_bad_version');
    expect(p.capture(base(5, RTCP_FIXTURES.srSdes.subarray(0, 30)))).toBe('rtcp_bad_length');
    expect(p.capture(base(32, 'not json'))).toBe('not_json');
    expect(p.capture(base(100, Buffer.from([0xff, 0xfe])))).toBe('not_utf8');
    expect(p.capture(base(100, Buffer.alloc(0)))).toBe('empty');
    expect(p.capture(base(53, 'dns'))).toBe('unsupported_type');
    expect(sent).toHaveLength(0);
    const m = await registry.getSingleMetric('sipcap_reports_dropped_total')!.get();
    const by = Object.fromEntries(m.values.map((v) => [v.labels.reason, v.value]));
    expect(Object.keys(by).sort()).toEqual([...REPORT_DROP_REASONS].sort()); // every reason is there from the start
    expect(by).toMatchObject({
      no_correlation_id: 2,
      rtcp_bad_version: 1,
      rtcp_bad_length: 1,
      not_json: 1,
      not_utf8: 1,
      empty: 1,
      unsupported_type: 1,
      not_queued: 0,
    });
  });

  it('publishes nothing while capture is off', () => {
    const { p, sent } = setup(false);
    expect(p.capture(base(5, RTCP_FIXTURES.srSdes))).toBe('capture_off');
    expect(sent).toHaveLength(0);
  });
});
