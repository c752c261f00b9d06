import { RtcpError } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { u16, u32 } from './read';

const VOIP_METRICS = 7;
/** A VoIP metrics block is 36 bytes: its header, then 8 words (RFC 3611 4.7). */
const VOIP_METRICS_BYTES = 36;
const int8 = (v: number) => (v << 24) >> 24;

/**
 * Extended reports (PT 207, RFC 3611): the reporter's SSRC, then report blocks (type u8, type-specific
 * u8, length u16 in 32-bit words minus one). The first VoIP metrics block (type 7) is decoded; the others
 * are walked over (bounds checked) and skipped.
 */
export function readXr(b: Buffer, start: number, end: number, out: RtcpJson): number {
  if (end - start < 8) throw new RtcpError('too_short', `XR of ${end - start} bytes is shorter than its 8-byte fixed part`);
  const ssrc = u32(b, start + 4);
  let o = start + 8;
  while (o < end) {
    if (o + 4 > end) throw new RtcpError('truncated', 'XR block header runs past its packet');
    const type = b[o];
    const size = (u16(b, o + 2) + 1) * 4;
    if (o + size > end) throw new RtcpError('truncated', `XR block of ${size} bytes runs past its packet`);
    if (type === VOIP_METRICS && out.voip_metrics === undefined) {
      if (size < VOIP_METRICS_BYTES)
        throw new RtcpError('truncated', `XR VoIP metrics block of ${size} bytes (needs ${VOIP_METRICS_BYTES})`);
      const m = {
        ssrc: u32(b, o + 4),
        loss_rate: b[o + 8],
        discard_rate: b[o + 9],
        burst_density: b[o + 10],
        gap_density: b[o + 11],
        burst_duration: u16(b, o + 12),
        gap_duration: u16(b, o + 14),
        round_trip_delay: u16(b, o + 16),
        end_system_delay: u16(b, o + 18),
        signal_level: int8(b[o + 20]),
        noise_level: int8(b[o + 21]),
        rerl: b[o + 22],
        gmin: b[o + 23],
        r_factor: b[o + 24],
        ext_r_factor: b[o + 25],
        mos_lq: b[o + 26] / 10,
        mos_cq: b[o + 27] / 10,
        rx_config: b[o + 28],
        jb_nominal: u16(b, o + 30),
        jb_maximum: u16(b, o + 32),
        jb_abs_max: u16(b, o + 34),
      };
      out.voip_metrics = m;
      out.report_blocks_xr = {
        type: VOIP_METRICS,
        id: m.ssrc,
        fraction_lost: m.loss_rate,
        fraction_discard: m.discard_rate,
        burst_density: m.burst_density,
        gap_density: m.gap_density,
        burst_duration: m.burst_duration,
        gap_duration: m.gap_duration,
        round_trip_delay: m.round_trip_delay,
        end_system_delay: m.end_system_delay,
      };
    }
    o += size;
  }
  return ssrc;
}
