import { DECODE_FAILURE_REASONS, type DecodeFailureReason } from './decode-failure';
import { decodeFrame, decodeReassembled } from './decode-frame';
import type { DecodedPacket } from './decoded-packet';
import { FragmentReassembler, type FragmentReassemblerOptions } from './fragment-reassembler';
import { IpProto } from './ip-payload';
import { sctpDataChunks } from './sctp';
import type { CandidateTransport, SipCandidate } from './sip-candidate';
import { SipTcpReassembler, type SipTcpReassemblerOptions, type TcpSegment } from './sip-tcp-reassembler';

export interface DecoderOptions {
  /** Keeps only packets for which this returns true (see parsePortRange / portRangeFilter); ipProto: 6 TCP, 17 UDP, 132 SCTP. */
  portFilter?: (srcPort: number, dstPort: number, ipProto: number) => boolean;
  /** Fragment reassembly limits, or false to drop fragments (counted). */
  fragments?: FragmentReassemblerOptions | false;
  /** TCP reassembly limits, or false to ignore TCP (counted). */
  tcp?: SipTcpReassemblerOptions | false;
}

export interface DecoderCounters {
  frames: number;
  /** Frames that did not decode, by reason. */
  failed: Record<DecodeFailureReason, number>;
  /** Packets the port filter rejected. */
  filtered: number;
  /** Fragments seen (and, with reassembly off, dropped). */
  fragments: number;
  /** UDP payloads that were empty or only CR/LF (keep-alives). */
  keepalives: number;
  /** Packets of a transport this decoder does not follow (TCP with reassembly off). */
  ignored: number;
  candidates: number;
}

const NONE: readonly SipCandidate[] = Object.freeze([]);
/** Fragments inside reassembled datagrams inside ... : bounded like tunnels. */
const MAX_REASSEMBLY_ROUNDS = 4;

/**
 * Frame in, SIP candidates out: decodes the frame, reassembles IP fragments and TCP streams, applies
 * the port filter, and copies each payload so it outlives the capture buffer. One instance per capture
 * (its reassembly state is per instance).
 */
export class Decoder {
  readonly counters: DecoderCounters;
  readonly fragments: FragmentReassembler | undefined;
  readonly tcp: SipTcpReassembler | undefined;
  private readonly portFilter: ((srcPort: number, dstPort: number, ipProto: number) => boolean) | undefined;

  constructor(options: DecoderOptions = {}) {
    this.portFilter = options.portFilter;
    this.fragments = options.fragments === false ? undefined : new FragmentReassembler(options.fragments);
    this.tcp = options.tcp === false ? undefined : new SipTcpReassembler(options.tcp);
    this.counters = {
      frames: 0,
      failed: Object.fromEntries(DECODE_FAILURE_REASONS.map((r) => [r, 0])) as Record<DecodeFailureReason, number>,
      filtered: 0,
      fragments: 0,
      keepalives: 0,
      ignored: 0,
      candidates: 0,
    };
  }

  /**
   * Drops fragments and TCP streams whose timeouts passed at `tsMicros`. decode() does this as packets
   * arrive; call it on a timer too so that state does not linger when traffic stops.
   */
  expire(tsMicros: bigint): void {
    this.fragments?.expire(tsMicros);
    this.tcp?.expire(tsMicros);
  }

  decode(linktype: number, frame: Buffer, tsMicros: bigint): readonly SipCandidate[] {
    this.counters.frames++;
    let result = decodeFrame(linktype, frame);
    for (let round = 0; result.ok && result.packet.fragment !== undefined; round++) {
      this.counters.fragments++;
      if (this.fragments === undefined || round >= MAX_REASSEMBLY_ROUNDS) return NONE;
      const whole = this.fragments.push(result.packet.fragment, tsMicros);
      if (whole === undefined) return NONE;
      result = decodeReassembled(whole.fragment, whole.payload);
    }
    if (!result.ok) {
      this.counters.failed[result.reason]++;
      return NONE;
    }
    const p = result.packet;
    if (this.portFilter !== undefined && !this.portFilter(p.srcPort, p.dstPort, p.ipProto)) {
      this.counters.filtered++;
      return NONE;
    }
    switch (p.ipProto) {
      case IpProto.UDP: {
        const payload = p.copyPayload();
        if (isKeepalive(payload)) {
          this.counters.keepalives++;
          return NONE;
        }
        this.counters.candidates++;
        return [candidate(p, 'udp', payload, tsMicros)];
      }
      case IpProto.TCP: {
        if (this.tcp === undefined) {
          this.counters.ignored++;
          return NONE;
        }
        const messages = this.tcp.push(p as TcpSegment, tsMicros);
        if (messages.length === 0) return NONE;
        this.counters.candidates += messages.length;
        return messages.map((m) => candidate(p, 'tcp', m, tsMicros));
      }
      case IpProto.SCTP: {
        const chunks = sctpDataChunks(p.payload);
        this.counters.candidates += chunks.length;
        return chunks.map((c) => candidate(p, 'sctp', Buffer.from(c), tsMicros));
      }
      default:
        this.counters.ignored++;
        return NONE;
    }
  }
}

/** Empty, or nothing but CR/LF: a keep-alive, not a message. */
function isKeepalive(payload: Buffer): boolean {
  for (let i = 0; i < payload.length; i++) if (payload[i] !== 0x0d && payload[i] !== 0x0a) return false;
  return true;
}

function candidate(p: DecodedPacket, transport: CandidateTransport, payload: Buffer, tsMicros: bigint): SipCandidate {
  return {
    srcIp: p.srcIp,
    dstIp: p.dstIp,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    family: p.family,
    transport,
    payload,
    tsMicros,
    vlans: p.vlans,
    tunnel: p.tunnel,
  };
}
