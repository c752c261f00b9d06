/**
 * Call quality from an RTCP report record (its msg is the RTCP JSON of @sipcap/rtcp, as heplify,
 * captagent and rtpengine send it): one observation per report block.
 */
export interface QualitySample {
  /** Interarrival jitter in seconds (the block's RTP timestamp units / clock rate). */
  jitterS: number;
  /** Fraction of packets lost since the previous report, 0..1. */
  fractionLost: number;
  /** MOS: the RTCP-XR VoIP metrics' MOS-CQ when the report carries a valid one, else estimated (estimateMos). */
  mos: number;
}

export type QualityResult = { ok: true; samples: QualitySample[] } | { ok: false };

/** At most this many blocks are read from one report (RTCP allows 31 per SR/RR). */
const MAX_BLOCKS = 31;

/** The samples of one RTCP JSON text; `clockRate` converts jitter (8000 Hz for the narrowband audio codecs). */
export function qualityOfRtcpJson(msg: string, clockRate: number): QualityResult {
  let json: unknown;
  try {
    json = JSON.parse(msg);
  } catch {
    return { ok: false };
  }
  if (typeof json !== 'object' || json === null) return { ok: false };
  const blocks = (json as { report_blocks?: unknown }).report_blocks;
  // heplify writes null for a compound without SR/RR blocks.
  if (blocks !== null && blocks !== undefined && !Array.isArray(blocks)) return { ok: false };
  const xr = (json as { voip_metrics?: { mos_cq?: unknown } }).voip_metrics;
  const xrMos = typeof xr?.mos_cq === 'number' && xr.mos_cq >= 1 && xr.mos_cq <= 5 ? xr.mos_cq : undefined;
  const samples: QualitySample[] = [];
  for (const b of (blocks ?? []).slice(0, MAX_BLOCKS) as unknown[]) {
    const jitter = (b as { ia_jitter?: unknown })?.ia_jitter;
    const lost = (b as { fraction_lost?: unknown })?.fraction_lost;
    if (typeof jitter !== 'number' || typeof lost !== 'number' || !(jitter >= 0) || !(lost >= 0 && lost <= 255)) return { ok: false };
    const jitterS = jitter / clockRate;
    const fractionLost = lost / 256;
    samples.push({ jitterS, fractionLost, mos: xrMos ?? estimateMos(jitterS, fractionLost) });
  }
  return { ok: true, samples };
}

/**
 * MOS (1..4.5) from jitter and loss by the simplified E-model that RTP monitors commonly use (ITU-T G.107
 * with default impairments): effective latency = 2 × jitter + 10 ms codec delay (round trip is not
 * known from one report), R = 93.2 − latency impairment − 2.5 × loss %, MOS = 1 + 0.035R + 7e-6·R(R−60)(100−R).
 */
export function estimateMos(jitterS: number, fractionLost: number): number {
  const latencyMs = 2 * jitterS * 1000 + 10;
  let r = 93.2 - (latencyMs < 160 ? latencyMs / 40 : (latencyMs - 120) / 10);
  r -= 2.5 * fractionLost * 100;
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.min(4.5, Math.max(1, 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r)));
}
