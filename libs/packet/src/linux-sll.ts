import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeEthertype } from './ethertype-payload';

/** Packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2). */
export const SLL_HEADER_SIZE = 16;
/** Protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1), address length (1), address (8). */
export const SLL2_HEADER_SIZE = 20;

/** Linux cooked capture v1 (linktype 113, `tcpdump -i any` before libpcap 1.10). */
export function decodeLinuxSll(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + SLL_HEADER_SIZE > end) return fail('truncated', 'Linux cooked (SLL) header truncated');
  return decodeEthertype(st, buf.readUInt16BE(off + 14), buf, off + SLL_HEADER_SIZE, end);
}

/** Linux cooked capture v2 (linktype 276, `tcpdump -i any` since libpcap 1.10). */
export function decodeLinuxSll2(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + SLL2_HEADER_SIZE > end) return fail('truncated', 'Linux cooked (SLL2) header truncated');
  return decodeEthertype(st, buf.readUInt16BE(off), buf, off + SLL2_HEADER_SIZE, end);
}
