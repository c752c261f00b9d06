import type { CapturedReport } from '@sipcap/agent';
import type { PortRange, SipCandidate } from '@sipcap/packet';
import { MediaCallMap, type MediaCallMapOptions } from './media-call-map';
import { sdpMedia } from './sdp-media';

/** What became of a UDP payload in the RTCP port range: a closed list (the metric's outcome label). */
export const RTCP_CAPTURE_OUTCOMES = ['matched', 'unmatched', 'not_rtcp'] as const;
export type RtcpCaptureOutcome = (typeof RTCP_CAPTURE_OUTCOMES)[number];

export interface RtcpCaptureOptions extends MediaCallMapOptions {
  /** UDP ports where RTCP is looked for (RTCP_PORT_RANGE); RAW_SOCKET_LISTEN's SIP ports take precedence. */
  ports: PortRange;
}

/** HEP's payload type for RTCP: the report publisher decodes it as binary RTCP. */
const HEP_RTCP = 5;

/**
 * RTCP from raw capture, as heplify does it: SIP messages with SDP teach a map media address → Call-ID
 * (MediaCallMap); a UDP payload in the RTCP port range whose first packet is RTCP (version 2, packet type
 * 200-207: this tells RTCP from RTP whether it comes on the odd port or multiplexed on the RTP port) is
 * looked up by its addresses and handed on, with the Call-ID as correlation id, to the report publisher
 * (which decodes it into JSON, as for HEP type 5). RTCP of no known call is counted as `unmatched` and
 * not kept, as heplify does (Kamailio stores no report without a correlation id either); RTP and anything
 * else in the range is counted as `not_rtcp`.
 */
export class RtcpCapture {
  readonly calls: MediaCallMap;
  readonly counters: Record<RtcpCaptureOutcome, number> = { matched: 0, unmatched: 0, not_rtcp: 0 };
  private readonly from: number;
  private readonly to: number;

  constructor(o: RtcpCaptureOptions) {
    this.calls = new MediaCallMap(o);
    this.from = o.ports.from;
    this.to = o.ports.to;
  }

  /** Either port in the RTCP range. */
  inRange(srcPort: number, dstPort: number): boolean {
    return (srcPort >= this.from && srcPort <= this.to) || (dstPort >= this.from && dstPort <= this.to);
  }

  /** A SIP message seen: remembers the media addresses of its SDP, if it has one. */
  learnSip(c: SipCandidate): void {
    const sdp = sdpMedia(c.payload);
    if (sdp !== undefined) this.calls.learn(sdp, c.tsMicros);
  }

  /** A UDP payload in the RTCP range: the report to publish, or undefined (counted). */
  report(c: SipCandidate): CapturedReport | undefined {
    if (!looksLikeRtcp(c.payload)) {
      this.counters.not_rtcp++;
      return undefined;
    }
    const callId = this.calls.lookup(c.srcIp, c.srcPort, c.dstIp, c.dstPort, c.tsMicros);
    if (callId === undefined) {
      this.counters.unmatched++;
      return undefined;
    }
    this.counters.matched++;
    return {
      payloadType: HEP_RTCP,
      correlationId: callId,
      payload: c.payload,
      srcIp: c.srcIp,
      srcPort: c.srcPort,
      dstIp: c.dstIp,
      dstPort: c.dstPort,
      family: c.family,
      proto: 1,
      microTs: c.tsMicros,
    };
  }
}

/**
 * RTP version 2 and a first packet type of 200-207 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR): RTCP,
 * not RTP (RFC 5761 section 4: RTP payload types 72-79 with the marker bit would read the same and are
 * not to be used with multiplexing). At least a header and an SSRC.
 */
export function looksLikeRtcp(b: Buffer): boolean {
  return b.length >= 8 && (b[0] & 0xc0) === 0x80 && b[1] >= 200 && b[1] <= 207;
}
