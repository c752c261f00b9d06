import { Decoder, IpProto, readCaptureStream, type CaptureFileStatus, type SipCandidate } from '@sipcap/packet';
import { looksLikeSip } from './looks-like-sip';
import { ReportMatcher } from './report-matcher';

/**
 * One packet of a capture file that replay sends: a SIP message (encoded as HEP), RTCP matched to its
 * call (HEP type 5 with the Call-ID as correlation id), or a HEP packet captured on its way to a
 * collector (re-sent byte for byte).
 */
export interface ReplayMessage {
  kind: 'sip' | 'rtcp' | 'hep';
  /** The call of RTCP, learned from the SDP earlier in the file. */
  correlationId?: string;
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
  /** Transport payloads that are not SIP, RTCP or HEP (DNS, RTP, ...). */
  notSip: number;
  /** RTCP matched to a call through the SDP seen before it (sent as HEP type 5). */
  rtcp: number;
  /** RTCP of no call announced earlier in the file (not sent: a report without correlation id is not stored). */
  rtcpUnmatched: number;
  /** HEP packets (v1/v2/v3) found in UDP payloads, re-sent as captured. */
  hep: number;
  /** TCP messages lost to gaps in the capture. */
  tcpGaps: number;
  /**
   * Bytes of the file read up to the current packet, estimated from the records (the reader takes the
   * file in large chunks): for the progress bar.
   */
  position: number;
}

export function emptyCounts(): SourceCounts {
  return { frames: 0, messages: 0, undecoded: 0, keepalives: 0, notSip: 0, rtcp: 0, rtcpUnmatched: 0, hep: 0, tcpGaps: 0, position: 0 };
}

const IP_PROTO: Record<SipCandidate['transport'], number> = { udp: IpProto.UDP, tcp: IpProto.TCP, sctp: IpProto.SCTP };

/**
 * The SIP messages of a pcap or pcapng byte stream, in capture order: UDP payloads, TCP streams
 * reassembled into whole messages, SCTP data chunks; IP fragments are reassembled. One Decoder per pass,
 * so every pass (replay loop) starts with fresh reassembly state. Counts are added to `counts`.
 * With `reports`, UDP payloads that are not SIP are also given when they are HEP (re-sent as they are)
 * or RTCP of a call whose SDP came earlier in the file (ReportMatcher).
 */
export async function* sipMessages(
  source: AsyncIterable<Buffer>,
  counts: SourceCounts,
  reports = false,
): AsyncGenerator<ReplayMessage, CaptureFileStatus, void> {
  const decoder = new Decoder();
  const matcher = reports ? new ReportMatcher() : undefined;
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
      const base = {
        srcIp: cand.srcIp,
        dstIp: cand.dstIp,
        srcPort: cand.srcPort,
        dstPort: cand.dstPort,
        family: cand.family,
        ipProto: IP_PROTO[cand.transport],
        tsMicros: cand.tsMicros,
        payload: cand.payload,
      };
      if (!looksLikeSip(cand.payload)) {
        const found = matcher && cand.transport === 'udp' ? matcher.classify(cand) : undefined;
        if (found?.kind === 'hep') {
          counts.hep++;
          yield { kind: 'hep', ...base };
        } else if (found?.kind === 'rtcp' && found.callId !== undefined) {
          counts.rtcp++;
          yield { kind: 'rtcp', correlationId: found.callId, ...base };
        } else if (found?.kind === 'rtcp') {
          counts.rtcpUnmatched++;
        } else {
          counts.notSip++;
        }
        continue;
      }
      matcher?.learnSip(cand);
      counts.messages++;
      yield {
        kind: 'sip',
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
