import { describe, expect, it } from 'vitest';
import { estimateMos, qualityOfRtcpJson } from './rtcp-quality';

const block = (ia_jitter: number, fraction_lost: number) => ({
  source_ssrc: 1,
  highest_seq_no: 100,
  fraction_lost,
  ia_jitter,
  packets_lost: 0,
  lsr: 0,
  dlsr: 0,
});

describe('qualityOfRtcpJson', () => {
  it('reads jitter in seconds at the clock rate, loss as a fraction, and estimates MOS per block', () => {
    const msg = JSON.stringify({ ssrc: 5, type: 201, report_count: 2, report_blocks: [block(80, 0), block(160, 64)] });
    const r = qualityOfRtcpJson(msg, 8000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.samples.map((s) => [s.jitterS, s.fractionLost])).toEqual([
      [0.01, 0],
      [0.02, 0.25],
    ]);
    expect(r.samples[0].mos).toBeCloseTo(estimateMos(0.01, 0), 10);
    expect(r.samples[1].mos).toBeLessThan(r.samples[0].mos);
  });

  it('uses the XR MOS-CQ when valid (12.7 is "unavailable")', () => {
    const withXr = qualityOfRtcpJson(JSON.stringify({ report_blocks: [block(8, 0)], voip_metrics: { mos_cq: 3.9 } }), 8000);
    expect(withXr.ok && withXr.samples[0].mos).toBe(3.9);
    const unavailable = qualityOfRtcpJson(JSON.stringify({ report_blocks: [block(8, 0)], voip_metrics: { mos_cq: 12.7 } }), 8000);
    expect(unavailable.ok && unavailable.samples[0].mos).toBeCloseTo(estimateMos(0.001, 0), 10);
  });

  it('gives no samples for a report without blocks (heplify writes null), and rejects what is not the RTCP JSON', () => {
    expect(qualityOfRtcpJson(JSON.stringify({ report_blocks: null }), 8000)).toEqual({ ok: true, samples: [] });
    expect(qualityOfRtcpJson('{not json', 8000)).toEqual({ ok: false });
    expect(qualityOfRtcpJson('"text"', 8000)).toEqual({ ok: false });
    expect(qualityOfRtcpJson(JSON.stringify({ report_blocks: {} }), 8000)).toEqual({ ok: false });
    expect(qualityOfRtcpJson(JSON.stringify({ report_blocks: [{ ia_jitter: 'x', fraction_lost: 0 }] }), 8000)).toEqual({ ok: false });
    expect(qualityOfRtcpJson(JSON.stringify({ report_blocks: [block(1, 300)] }), 8000)).toEqual({ ok: false });
  });
});

describe('estimateMos', () => {
  it('follows the E-model figures: R 92.95 → 4.40, 20 ms jitter and 5% loss R 79.45 → 4.00, heavy loss floors at 1', () => {
    expect(estimateMos(0, 0)).toBeCloseTo(4.404, 3);
    expect(estimateMos(0.02, 0.05)).toBeCloseTo(4.003, 3);
    expect(estimateMos(0.1, 0.5)).toBe(1);
  });
});
