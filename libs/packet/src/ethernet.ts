import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeEthertype } from './ethertype-payload';

/** Destination MAC (6), source MAC (6), EtherType (2). */
export const ETHERNET_HEADER_SIZE = 14;

/** Ethernet II frame (linktype 1, and the inner frame of VXLAN, ERSPAN and GRE bridging). */
export function decodeEthernet(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + ETHERNET_HEADER_SIZE > end) return fail('truncated', 'Ethernet header truncated');
  const type = buf.readUInt16BE(off + 12);
  // Values up to 1500 are an 802.3 length (LLC frames: STP, CDP, ...), never IP in practice.
  if (type <= 1500) return fail('unsupported-ethertype', '802.3 length frame (LLC)');
  return decodeEthertype(st, type, buf, off + ETHERNET_HEADER_SIZE, end);
}
