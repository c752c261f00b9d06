import { Decoder, IpProto, readCaptureStream, type CaptureFileStatus, type SipCandidate } from '@sipcap/packet';
import { looksLikeSip } from './looks-like-sip';

/** One SIP message of a capture file, as replay sends it. */
export interface ReplayMessage {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  family: 2 | 10;
  /** IP protocol of the captured transport (17 UDP, 6 TCP, 132 SCTP). */
  ipProto: number;
  tsMicros: bigint;
  payload: Buffer;
}

/** What a pass over the file found besides the SIP messages. */
export interface SourceCounts {
  frames: number;
  messages: number;
  /** Frames that did not decode (unknown link or network layer, truncated). */
  undecoded: number;
  /** UDP keep-alives (CR/LF only) and TCP packets of a transport not followed. */
  keepalives: number;
  /** Transport payloads that are not SIP (DNS, RTP, ...). */
  notSip: number;
  /** TCP messages lost to gaps in the capture. */
  tcpGaps: number;
  /**
   * Bytes of the file read up to the current packet, estimated from the records (the reader takes the
   * file in large chunks): for the progress bar.
   */
  position: number;
}

export function emptyCounts(): SourceCounts {
  return { frames: 0, messages: 0, undecoded: 0, keepalives: 0, notSip: 0, tcpGaps: 0, position: 0 };
}

const IP_PROTO: Record<SipCandidate['transport'], number> = { udp: IpProto.UDP, tcp: IpProto.TCP, sctp: IpProto.SCTP };

/**
 * The SIP messages of a pcap or pcapng byte stream, in capture order: UDP payloads, TCP streams
 * reassembled into whole messages, SCTP data chunks; IP fragments are reassembled. One Decoder per pass,
 * so every pass (replay loop) starts with fresh reassembly state. Counts are added to `counts`.
 */
export async function* sipMessages(source: AsyncIterable<Buffer>, counts: SourceCounts): AsyncGenerator<ReplayMessage, CaptureFileStatus, void> {
  const decoder = new Decoder();
  // Record overhead: 16 bytes in classic pcap; about 32 in pcapng (enhanced packet block, padded to 4).
  let pcapng: boolean | undefined;
  const records = readCaptureStream(
    (async function* () {
      for await (const chunk of source) {
        if (pcapng === undefined && chunk.length >= 4) pcapng = chunk.readUInt32LE(0) === 0x0a0d0d0a;
        yield chunk;
      }
    })(),
  );
  for (;;) {
    const next = await records.next();
    if (next.done) {
      const c = decoder.counters;
      counts.frames += c.frames;
      counts.undecoded += Object.values(c.failed).reduce((a, b) => a + b, 0);
      counts.keepalives += c.keepalives + c.ignored + c.filtered;
      counts.tcpGaps += decoder.tcp?.counters.gaps ?? 0;
      return next.value;
    }
    const r = next.value;
    counts.position += pcapng ? 32 + ((r.frame.length + 3) & ~3) : 16 + r.frame.length;
    for (const cand of decoder.decode(r.linktype, r.frame, r.tsMicros)) {
      if (!looksLikeSip(cand.payload)) {
        counts.notSip++;
        continue;
      }
      counts.messages++;
      yield {
        srcIp: cand.srcIp,
        dstIp: cand.dstIp,
        srcPort: cand.srcPort,
        dstPort: cand.dstPort,
        family: cand.family,
        ipProto: IP_PROTO[cand.transport],
        tsMicros: cand.tsMicros,
        payload: cand.payload,
      };
    }
  }
}
