import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { parseSip } from '@sipcap/sip';
import {
  buildRecord,
  buildReportRecord,
  encodeRecord,
  encodeRecordBatch,
  encodeReportRecord,
  Family,
  Proto,
  recordExtraHeaders,
  type BuildRecordOptions,
} from '@sipcap/record';
import { KpiMetrics } from './kpi-metrics';
import { KpiPipeline } from './kpi-pipeline';
import { PeerMap } from './peer-map';

const OPTS: BuildRecordOptions = { captureNode: 'homer01', callidAlegHeaders: [], customHeaders: [] };
const A = '10.1.1.1';
const B = '203.0.113.9';

function sip(first: string, cseq: string, branch: string, toTag: string, tsUs: bigint, fromB = false): Buffer {
  const msg = Buffer.from(
    [
      first,
      `Via: SIP/2.0/UDP ${A}:5060;branch=${branch}`,
      'From: <sip:a@x>;tag=f',
      `To: <sip:b@y>${toTag ? `;tag=${toTag}` : ''}`,
      'Call-ID: call-1@x',
      `CSeq: ${cseq}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  const p = parseSip(msg, { extraHeaders: recordExtraHeaders(OPTS) });
  if (!p.ok) throw new Error(p.message);
  const [src, dst] = fromB ? [B, A] : [A, B];
  return encodeRecord(
    buildRecord(
      { sip: p.sip, srcIp: src, srcPort: 5060, dstIp: dst, dstPort: 5060, family: Family.IPV4, proto: Proto.UDP, microTs: tsUs, msg },
      OPTS,
    ),
  );
}

function rtcp(json: string): Buffer {
  return encodeReportRecord(
    buildReportRecord(
      {
        kind: 'rtcp',
        type: 3,
        msg: json,
        srcIp: B,
        srcPort: 7001,
        dstIp: A,
        dstPort: 7001,
        family: Family.IPV4,
        proto: Proto.UDP,
        microTs: 1n,
        correlationId: 'call-1@x',
      },
      'homer01',
    ),
  );
}

async function value(registry: Registry, name: string, labels: Record<string, string> = {}, field = ''): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = (m?.values ?? []).find(
    (x) =>
      (field === '' || (x as { metricName?: string }).metricName === `${name}${field}`) &&
      Object.entries(labels).every(([k, l]) => String((x.labels as Record<string, unknown>)[k]) === l),
  );
  return v?.value ?? 0;
}

function make() {
  const registry = new Registry();
  const metrics = new KpiMetrics(registry);
  const pipeline = new KpiPipeline({
    peers: new PeerMap('carrierA=203.0.113.0/24'),
    metrics,
    retransWindowS: 32,
    callTtlS: 3600,
    maxItems: 1000,
    maxBytes: 1 << 20,
    rtpClockHz: 8000,
  });
  return { registry, pipeline };
}

const T = 1_700_000_000_000_000n;

describe('KpiPipeline', () => {
  it('reads batches of SIP and RTCP records into the metrics; a batch read again is not counted twice', async () => {
    const { registry, pipeline } = make();
    const batch = encodeRecordBatch([
      sip('INVITE sip:b@y SIP/2.0', '1 INVITE', 'z9hG4bKa', '', T),
      sip('SIP/2.0 180 Ringing', '1 INVITE', 'z9hG4bKa', 't1', T + 500_000n, true),
      sip('SIP/2.0 200 OK', '1 INVITE', 'z9hG4bKa', 't1', T + 2_000_000n, true),
    ]);
    const report = rtcp(
      JSON.stringify({
        report_blocks: [{ source_ssrc: 1, highest_seq_no: 9, fraction_lost: 0, ia_jitter: 40, packets_lost: 0, lsr: 0, dlsr: 0 }],
      }),
    );
    pipeline.handle(3, [
      { offset: '0', value: batch },
      { offset: '1', value: report },
      { offset: '2', value: Buffer.from([9, 9]) },
    ]);
    pipeline.handle(3, [{ offset: '1', value: report }]);
    expect(pipeline.records).toEqual({ sip: 3, rtcp: 1, report: 0, logs: 0, undecodable: 1, replayed: 1 });
    const np = { node: 'homer01', peer: 'carrierA' };
    expect(await value(registry, 'sipcap_sip_requests_total', { ...np, method: 'INVITE' })).toBe(1);
    expect(await value(registry, 'sipcap_sip_responses_total', { ...np, method: 'INVITE', code: '180' })).toBe(1);
    expect(await value(registry, 'sipcap_calls_total', { ...np, outcome: 'answered' })).toBe(1);
    expect(await value(registry, 'sipcap_sip_srd_seconds', np, '_sum')).toBeCloseTo(0.5, 6);
    expect(await value(registry, 'sipcap_call_setup_seconds', np, '_sum')).toBeCloseTo(2, 6);
    expect(await value(registry, 'sipcap_calls_active', np)).toBe(1);
    expect(await value(registry, 'sipcap_rtcp_jitter_seconds', np, '_count')).toBe(1);
    expect(await value(registry, 'sipcap_rtcp_jitter_seconds', np, '_sum')).toBeCloseTo(0.005, 9);
    expect(await value(registry, 'sipcap_stats_unexpected_total', { reason: 'undecodable' })).toBe(1);

    // The partition goes to another instance: its call leaves this one's gauge, counted as lost.
    pipeline.assigned([0, 1]);
    expect(await value(registry, 'sipcap_calls_active', np)).toBe(0);
    expect(await value(registry, 'sipcap_stats_state_dropped_total', { kind: 'call', reason: 'rebalance' })).toBe(1);
    expect(pipeline.state.items).toBe(0);
  });

  it('expires an answered call by wall time passing after the last record (event time moved on)', async () => {
    const { registry, pipeline } = make();
    pipeline.handle(
      0,
      [
        { offset: '0', value: sip('INVITE sip:b@y SIP/2.0', '1 INVITE', 'z9hG4bKb', '', T) },
        { offset: '1', value: sip('SIP/2.0 200 OK', '1 INVITE', 'z9hG4bKb', 't1', T + 1_000_000n, true) },
      ],
      5000,
    );
    pipeline.tick(5000 + 3000);
    expect(await value(registry, 'sipcap_calls_active', { peer: 'carrierA' })).toBe(1);
    pipeline.tick(5000 + 3602);
    expect(await value(registry, 'sipcap_calls_active', { peer: 'carrierA' })).toBe(0);
    expect(await value(registry, 'sipcap_stats_state_dropped_total', { kind: 'call', reason: 'expired' })).toBe(1);
  });
});
