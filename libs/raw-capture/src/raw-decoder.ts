import type { CapturedMessage, CapturedReport } from '@sipcap/agent';
import { Decoder, portRangeFilter, type DecoderOptions, type PortRange, type SipCandidate } from '@sipcap/packet';
import { RtcpCapture, type RtcpCaptureOptions } from './rtcp-capture';

/** Kamailio's `proto` numbering of a candidate's transport. */
const PROTO = { udp: 1, tcp: 2, sctp: 4 } as const;

/** A decoded SIP payload as the publisher takes it: addresses of the innermost packet, pcap time. */
export function capturedFromCandidate(c: SipCandidate): CapturedMessage {
  return {
    payload: c.payload,
    srcIp: c.srcIp,
    srcPort: c.srcPort,
    dstIp: c.dstIp,
    dstPort: c.dstPort,
    family: c.family,
    proto: PROTO[c.transport],
    microTs: c.tsMicros,
  };
}

export interface RawDecoderOptions {
  /** Packets with neither port in the range are dropped (RAW_SOCKET_LISTEN's ports); none: keep all. */
  ports?: PortRange;
  fragments?: DecoderOptions['fragments'];
  tcp?: DecoderOptions['tcp'];
  /**
   * RTCP capture (RTCP_PORT_RANGE): UDP in this range is also kept, RTCP in it correlated with its call
   * through the SDP of the SIP seen, and handed to `onReport`. SIP ports take precedence over it.
   */
  rtcp?: RtcpCaptureOptions & { onReport: (r: CapturedReport) => void };
}

const UDP = 17;

/**
 * Frames in, captured SIP messages out, for one decoding thread: libs/packet's Decoder (link layers,
 * tunnels, fragment and TCP reassembly, port filter) plus the conversion to the publisher's input.
 * Reassembly state lives here, so all frames of a flow must come to the same instance.
 */
export class RawDecoder {
  readonly decoder: Decoder;
  readonly rtcp: RtcpCapture | undefined;
  private readonly onReport: ((r: CapturedReport) => void) | undefined;
  private readonly isSipPort: ((srcPort: number, dstPort: number) => boolean) | undefined;
  private lastTs = 0n;
  private lastWallMs = 0;

  constructor(options: RawDecoderOptions = {}) {
    const sip = options.ports ? portRangeFilter(options.ports) : undefined;
    const rtcp = options.rtcp ? new RtcpCapture(options.rtcp) : undefined;
    this.rtcp = rtcp;
    this.onReport = options.rtcp?.onReport;
    this.isSipPort = sip;
    this.decoder = new Decoder({
      portFilter: rtcp === undefined ? sip : (s, d, ipProto) => sip === undefined || sip(s, d) || (ipProto === UDP && rtcp.inRange(s, d)),
      fragments: options.fragments,
      tcp: options.tcp,
    });
  }

  decode(linktype: number, frame: Buffer, tsMicros: bigint, emit: (m: CapturedMessage) => void): void {
    this.lastTs = tsMicros;
    this.lastWallMs = Date.now();
    const candidates = this.decoder.decode(linktype, frame, tsMicros);
    const rtcp = this.rtcp;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      if (rtcp === undefined) {
        emit(capturedFromCandidate(c));
      } else if (this.isSipPort === undefined || this.isSipPort(c.srcPort, c.dstPort)) {
        rtcp.learnSip(c);
        emit(capturedFromCandidate(c));
      } else {
        const report = rtcp.report(c);
        if (report !== undefined) this.onReport!(report);
      }
    }
  }

  /**
   * Expires reassembly state on a timer when traffic stops. Time is the capture clock (the last frame's
   * time plus the wall time since), so a file replayed with old timestamps expires as it was captured.
   */
  expire(): void {
    if (this.lastWallMs === 0) return;
    const now = this.lastTs + BigInt(Date.now() - this.lastWallMs) * 1000n;
    this.decoder.expire(now);
    this.rtcp?.calls.expire(now);
  }
}
