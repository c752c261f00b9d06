import { decodeHep } from '@sipcap/hep';
import type { SipCandidate } from '@sipcap/packet';
import { looksLikeRtcp, MediaCallMap, sdpMedia } from '@sipcap/raw-capture';

/** What a UDP payload that is not SIP is to replay. */
export type ReportKind = { kind: 'hep' } | { kind: 'rtcp'; callId?: string } | undefined;

/** The SDP map's bounds: as the mirror-agent's defaults (RTCP_SDP_MAX_ITEMS, RTCP_SDP_MAX_MB, RTCP_SDP_TTL_S). */
const MAX_ITEMS = 200_000;
const MAX_BYTES = 32 * 1024 * 1024;
const TTL_MICROS = 600n * 1_000_000n;

/**
 * Tells HEP and RTCP among a capture's non-SIP UDP payloads, the way the mirror-agent captures RTCP:
 * - HEP: a payload that the HEP decoder reads whole (v3 `HEP3`/`EEP3`, or a v1/v2 header of a valid
 *   length), captured on its way to a collector; replay re-sends it byte for byte.
 * - RTCP: version 2 and a first packet type of 200-207 (on any UDP port: the odd port or multiplexed on
 *   the RTP port), matched to a call by its addresses through the SDP of the SIP messages seen before
 *   it (c=/m= lines, a=rtcp) in capture time; the map is bounded and expiring (MediaCallMap).
 */
export class ReportMatcher {
  private readonly calls = new MediaCallMap({ maxItems: MAX_ITEMS, maxBytes: MAX_BYTES, ttlMicros: TTL_MICROS });

  /** A SIP message seen: remembers the media addresses of its SDP. */
  learnSip(c: Pick<SipCandidate, 'payload' | 'tsMicros'>): void {
    const sdp = sdpMedia(c.payload);
    if (sdp !== undefined) this.calls.learn(sdp, c.tsMicros);
  }

  classify(c: Pick<SipCandidate, 'payload' | 'srcIp' | 'srcPort' | 'dstIp' | 'dstPort' | 'tsMicros'>): ReportKind {
    const p = c.payload;
    if (p.length >= 4 && (p[0] === 1 || p[0] === 2 || p.toString('latin1', 0, 4) === 'HEP3' || p.toString('latin1', 0, 4) === 'EEP3')) {
      if (decodeHep(p).ok) return { kind: 'hep' };
    }
    if (looksLikeRtcp(p)) return { kind: 'rtcp', callId: this.calls.lookup(c.srcIp, c.srcPort, c.dstIp, c.dstPort, c.tsMicros) };
    return undefined;
  }
}
