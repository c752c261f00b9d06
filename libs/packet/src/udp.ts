import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { packetResult } from './packet-result';
import { decodeVxlan, VXLAN_PORT, looksLikeVxlan } from './vxlan';

export const UDP_HEADER_SIZE = 8;

/**
 * UDP header; the length field bounds the payload (0 for jumbograms: the rest of the packet). Datagrams
 * to the VXLAN port carrying a valid VXLAN header are followed into the inner Ethernet frame.
 * The checksum is not verified (checksum offload leaves it wrong in captures of local traffic).
 */
export function decodeUdp(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + UDP_HEADER_SIZE > end) return fail('truncated', 'UDP header truncated');
  const srcPort = buf.readUInt16BE(off);
  const dstPort = buf.readUInt16BE(off + 2);
  const length = buf.readUInt16BE(off + 4);
  let udpEnd = end;
  if (length !== 0) {
    if (length < UDP_HEADER_SIZE) return fail('bad-header', `UDP length ${length}`);
    if (off + length > end) return fail('truncated', `UDP datagram truncated (${end - off} of ${length} bytes)`);
    udpEnd = off + length;
  }
  const payloadStart = off + UDP_HEADER_SIZE;
  if (dstPort === VXLAN_PORT && looksLikeVxlan(buf, payloadStart, udpEnd)) {
    return decodeVxlan(st, buf, payloadStart, udpEnd);
  }
  return packetResult(st, 17, srcPort, dstPort, buf, payloadStart, udpEnd, undefined);
}
