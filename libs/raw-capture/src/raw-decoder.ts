import type { CapturedMessage } from '@sipcap/capture';
import { Decoder, portRangeFilter, type DecoderOptions, type PortRange, type SipCandidate } from '@sipcap/packet';

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
}

/**
 * Frames in, captured SIP messages out, for one decoding thread: libs/packet's Decoder (link layers,
 * tunnels, fragment and TCP reassembly, port filter) plus the conversion to the publisher's input.
 * Reassembly state lives here, so all frames of a flow must come to the same instance.
 */
export class RawDecoder {
  readonly decoder: Decoder;
  private lastTs = 0n;
  private lastWallMs = 0;

  constructor(options: RawDecoderOptions = {}) {
    this.decoder = new Decoder({
      portFilter: options.ports ? portRangeFilter(options.ports) : undefined,
      fragments: options.fragments,
      tcp: options.tcp,
    });
  }

  decode(linktype: number, frame: Buffer, tsMicros: bigint, emit: (m: CapturedMessage) => void): void {
    this.lastTs = tsMicros;
    this.lastWallMs = Date.now();
    const candidates = this.decoder.decode(linktype, frame, tsMicros);
    for (let i = 0; i < candidates.length; i++) emit(capturedFromCandidate(candidates[i]));
  }

  /**
   * Expires reassembly state on a timer when traffic stops. Time is the capture clock (the last frame's
   * time plus the wall time since), so a file replayed with old timestamps expires as it was captured.
   */
  expire(): void {
    if (this.lastWallMs === 0) return;
    this.decoder.expire(this.lastTs + BigInt(Date.now() - this.lastWallMs) * 1000n);
  }
}
