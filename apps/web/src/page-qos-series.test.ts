// The page's QoS numbers (apps/web/page/qos-series.ts), tested here because the unit project collects
// tests under src/.
import { describe, expect, it } from 'vitest';
import { estimateMos as statsMos } from '@sipcap/sip-stats';
import { estimateMos, ladderMarks, ntpMiddle32, qosSeries, type RtcpReportInput } from '../page/qos-series';

const T0 = 1_764_000_000_000_000n;
const at = (ms: number) => String(T0 + BigInt(ms * 1000));

function sr(
  ms: number,
  ssrc: number,
  ntpSec: number,
  ntpFrac: number,
  blocks: object[] = [],
  from = '192.0.2.10',
  port = 30001,
): RtcpReportInput {
  return {
    micro_ts: at(ms),
    source_ip: from,
    source_port: port,
    destination_ip: '198.51.100.20',
    destination_port: 40001,
    msg: JSON.stringify({
      sender_information: { ntp_timestamp_sec: ntpSec, ntp_timestamp_usec: ntpFrac, rtp_timestamp: 0, packets: 50, octets: 8000 },
      ssrc,
      type: 200,
      report_count: blocks.length,
      report_blocks: blocks,
    }),
  };
}

function rr(ms: number, ssrc: number, blocks: object[], from = '198.51.100.20', port = 40001): RtcpReportInput {
  const to = from === '198.51.100.20' ? (['192.0.2.10', 30001] as const) : (['198.51.100.20', 40001] as const);
  return {
    micro_ts: at(ms),
    source_ip: from,
    source_port: port,
    destination_ip: to[0],
    destination_port: to[1],
    msg: JSON.stringify({
      sender_information: { ntp_timestamp_sec: 0, ntp_timestamp_usec: 0, rtp_timestamp: 0, packets: 0, octets: 0 },
      ssrc,
      type: 201,
      report_count: blocks.length,
      report_blocks: blocks,
    }),
  };
}

const block = (
  o: Partial<{ source_ssrc: number; fraction_lost: number; ia_jitter: number; packets_lost: number; lsr: number; dlsr: number }>,
) => ({
  source_ssrc: 0x1111,
  highest_seq_no: 100,
  fraction_lost: 0,
  ia_jitter: 0,
  packets_lost: 0,
  lsr: 0,
  dlsr: 0,
  ...o,
});

describe('estimateMos (simplified E-model)', () => {
  it('gives the known R and MOS for a clean line, loss with a round trip, and a long delay', () => {
    // latency 10 ms → R = 93.2 − 0.25 = 92.95 → MOS = 1 + 3.25325 + 7e-6 × 92.95 × 32.95 × 7.05
    expect(estimateMos(0, 0).r).toBeCloseTo(92.95, 10);
    expect(estimateMos(0, 0).mos).toBeCloseTo(4.404394, 5);
    // latency 100/2 + 2×20 + 10 = 100 ms → R = 93.2 − 2.5 − 12.5 = 78.2 → MOS 3.954184
    expect(estimateMos(20, 5, 100).r).toBeCloseTo(78.2, 10);
    expect(estimateMos(20, 5, 100).mos).toBeCloseTo(3.954184, 5);
    // latency 400/2 + 10 = 210 ms ≥ 160 → R = 93.2 − (210 − 120)/10 = 84.2 → MOS 4.172363
    expect(estimateMos(0, 0, 400).r).toBeCloseTo(84.2, 10);
    expect(estimateMos(0, 0, 400).mos).toBeCloseTo(4.172363, 5);
    // 40 % loss: R below 0 → 1
    expect(estimateMos(0, 40).mos).toBe(1);
  });

  it("is the stats app's estimate when the round trip is not known", () => {
    for (const [jMs, loss] of [
      [0, 0],
      [12.5, 1.5625],
      [80, 10],
      [3, 0.390625],
    ]) {
      expect(estimateMos(jMs, loss).mos).toBeCloseTo(statsMos(jMs / 1000, loss / 100), 10);
    }
  });
});

describe('qosSeries', () => {
  it('makes one series per reported SSRC and reporter, with jitter, loss, cumulative loss and MOS per block', () => {
    const series = qosSeries([
      rr(1000, 0x2222, [block({ ia_jitter: 80, fraction_lost: 0, packets_lost: 0 })]),
      rr(6000, 0x2222, [block({ ia_jitter: 160, fraction_lost: 13, packets_lost: 7 })]),
      rr(6100, 0x1111, [block({ source_ssrc: 0x2222, ia_jitter: 8, fraction_lost: 256 / 4 })], '192.0.2.10', 30001),
    ]);
    expect(series.streams.map((s) => [s.ssrc, s.reporterSsrc, s.reportFrom, s.reportTo, s.points.length])).toEqual([
      [0x1111, 0x2222, '198.51.100.20:40001', '192.0.2.10:30001', 2],
      [0x2222, 0x1111, '192.0.2.10:30001', '198.51.100.20:40001', 1],
    ]);
    const [p0, p1] = series.streams[0].points;
    expect([p0.jitter, p0.jitterMs, p0.fractionLost, p0.lossPercent, p0.cumulativeLost, p0.rttMs, p0.report]).toEqual([
      80,
      10,
      0,
      0,
      0,
      undefined,
      0,
    ]);
    expect([p1.jitter, p1.jitterMs, p1.fractionLost, p1.lossPercent, p1.cumulativeLost, p1.micro_ts]).toEqual([
      160,
      20,
      13,
      5.078125,
      7,
      at(6000),
    ]);
    expect(p1.mos).toBeCloseTo(estimateMos(20, 5.078125).mos, 12);
    expect(series.streams[1].points[0].lossPercent).toBe(25);
  });

  it('takes the round trip from the SR the LSR names: RR capture − SR capture − DLSR', () => {
    const sec = 0xe8a1b2c3;
    const frac = 0x4d5e6f70;
    expect(ntpMiddle32(sec, frac)).toBe(0xb2c34d5e);
    const series = qosSeries([
      sr(1000, 0x1111, sec, frac),
      // 560 ms after the SR, held 0.5 s (DLSR 32768/65536 s) → 60 ms round trip
      rr(1560, 0x2222, [block({ lsr: 0xb2c34d5e, dlsr: 32768, ia_jitter: 40 })]),
      // an LSR naming no stored SR: no round trip
      rr(2000, 0x2222, [block({ lsr: 0x12345678, dlsr: 100 })]),
      // DLSR longer than the gap: negative, left out
      rr(1600, 0x2222, [block({ lsr: 0xb2c34d5e, dlsr: 65536 })]),
    ]);
    expect(series.senderReports).toBe(1);
    const pts = series.streams[0].points;
    expect(pts[0].rttMs).toBeCloseTo(60, 9);
    expect(pts[0].mos).toBeCloseTo(estimateMos(5, 0, 60).mos, 12);
    expect(pts[1].rttMs).toBeUndefined();
    expect(pts[2].rttMs).toBeUndefined();
  });

  it("counts what is not RTCP JSON and skips SRs without blocks (heplify's null)", () => {
    const nullBlocks = { ...rr(0, 1, []), msg: '{"ssrc":1,"type":200,"report_blocks":null}' };
    const series = qosSeries([
      { ...rr(0, 1, []), msg: 'not json' },
      { ...rr(0, 1, []), msg: '[1,2]' },
      { ...rr(0, 1, []), msg: '{"report_blocks":"x"}' },
      { ...rr(0, 1, []), msg: '{"report_blocks":[{"source_ssrc":1,"fraction_lost":999,"ia_jitter":1,"packets_lost":0}]}' },
      nullBlocks,
    ]);
    expect(series.unreadable).toBe(4);
    expect(series.streams).toEqual([]);
  });
});

describe('ladderMarks', () => {
  it('groups reports by the message they follow', () => {
    const msgs = [at(0), at(100), at(5000)];
    expect(
      ladderMarks(msgs, [
        { micro_ts: at(-5), kind: 'logs' },
        { micro_ts: at(100), kind: 'rtcp' },
        { micro_ts: at(1000), kind: 'rtcp' },
        { micro_ts: at(2000), kind: 'report' },
        { micro_ts: at(9000), kind: 'logs' },
      ]),
    ).toEqual([
      { after: -1, rtcp: 0, report: 0, logs: 1 },
      { after: 1, rtcp: 2, report: 1, logs: 0 },
      { after: 2, rtcp: 0, report: 0, logs: 1 },
    ]);
    expect(ladderMarks([], [{ micro_ts: at(1), kind: 'rtcp' }])).toEqual([{ after: -1, rtcp: 1, report: 0, logs: 0 }]);
  });
});
