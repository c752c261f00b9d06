import { isIP } from 'node:net';
import { LinkType, TcpFlag, testing, writePcap, type PcapWriteRecord } from '@sipcap/packet';
import type { CallMessage } from '@sipcap/search';

/** What the exports need of a stored message. */
export type PcapMessage = Pick<
  CallMessage,
  'micro_ts' | 'source_ip' | 'source_port' | 'destination_ip' | 'destination_port' | 'proto' | 'msg'
>;

export type PcapLink = 'ethernet' | 'raw';

/** Transports carried over TCP in Kamailio's numbering: TCP, TLS (stored decrypted), WS, WSS. */
const OVER_TCP = new Set([2, 3, 5, 6]);
/** Largest UDP payload: 65535 - IPv4 (20) - UDP (8); IPv6's payload length leaves 65527. */
const MAX_UDP = { 4: 65_507, 6: 65_527 } as const;
/** TCP payload per segment, well inside the 16-bit IP length. */
const MAX_TCP_SEGMENT = 65_000;
/** First sequence number of every flow (relative numbers in Wireshark start at 1 after it). */
const INITIAL_SEQ = 1_000_000;

/** Both addresses in one family, as IP packets need: a text that is no address becomes 0.0.0.0 or ::. */
function addressPair(src: string, dst: string): [string, string, 4 | 6] {
  const fs = isIP(src);
  const fd = isIP(dst);
  const family: 4 | 6 = fs === 6 || fd === 6 ? 6 : 4;
  const fit = (ip: string, f: number) => (f === family ? ip : family === 6 && f === 4 ? `::ffff:${ip}` : family === 6 ? '::' : '0.0.0.0');
  return [fit(src, fs), fit(dst, fd), family];
}

const port = (p: number) => (Number.isInteger(p) && p >= 0 && p <= 65535 ? p : 0);

/**
 * A classic pcap file of a call: each stored message rebuilt as a packet from its addresses, ports,
 * transport and capture time (micro_ts). UDP messages (and SCTP, which Wireshark reads best as UDP
 * here) become one datagram; TCP, TLS and WebSocket messages become TCP segments whose sequence numbers
 * continue per direction of each connection, acknowledging the other direction, so Wireshark follows
 * the stream. IPv4 or IPv6 by address; Ethernet or raw IP link type.
 */
export function callPcap(messages: readonly PcapMessage[], link: PcapLink = 'ethernet'): Buffer {
  return writePcap(callPcapRecords(messages, link), { linktype: linkType(link) });
}

const linkType = (link: PcapLink) => (link === 'ethernet' ? LinkType.ETHERNET : LinkType.RAW);

/**
 * The same file as callPcap, in pieces made one message at a time as they are read: the 24-byte file
 * header, then each packet record (16-byte header and frame). Any prefix of whole pieces is a valid pcap.
 */
export function* callPcapChunks(messages: readonly PcapMessage[], link: PcapLink = 'ethernet'): Generator<Buffer> {
  const linktype = linkType(link);
  yield writePcap([], { linktype });
  for (const r of callPcapRecords(messages, link)) yield writePcap([r], { linktype }).subarray(24);
}

/** The packets of the messages (a TCP message above 65,000 bytes is several segments). */
function* callPcapRecords(messages: readonly PcapMessage[], link: PcapLink): Generator<PcapWriteRecord> {
  const nextSeq = new Map<string, number>();
  const seqOf = (key: string) => nextSeq.get(key) ?? INITIAL_SEQ;
  const wrap = (ipPacket: Buffer) => (link === 'ethernet' ? testing.ethernetFrame({ payload: ipPacket, pad: true }) : ipPacket);

  for (const m of messages) {
    const [src, dst, family] = addressPair(m.source_ip, m.destination_ip);
    const srcPort = port(m.source_port);
    const dstPort = port(m.destination_port);
    const tsMicros = BigInt(m.micro_ts);
    if (!OVER_TCP.has(m.proto)) {
      const payload = m.msg.length > MAX_UDP[family] ? m.msg.subarray(0, MAX_UDP[family]) : m.msg;
      yield { tsMicros, frame: wrap(testing.udpPacket({ src, dst, srcPort, dstPort, payload })) };
      continue;
    }
    const key = `${src}|${srcPort}|${dst}|${dstPort}`;
    const reverse = `${dst}|${dstPort}|${src}|${srcPort}`;
    for (let off = 0; off < m.msg.length || off === 0; off += MAX_TCP_SEGMENT) {
      const payload = m.msg.subarray(off, off + MAX_TCP_SEGMENT);
      const seq = seqOf(key);
      yield {
        tsMicros,
        frame: wrap(testing.tcpPacket({ src, dst, srcPort, dstPort, seq, ack: seqOf(reverse), flags: TcpFlag.ACK | TcpFlag.PSH, payload })),
      };
      nextSeq.set(key, (seq + payload.length) >>> 0);
      if (m.msg.length === 0) break;
    }
  }
}
