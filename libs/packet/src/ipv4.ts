import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeIpPayload } from './ip-payload';
import { formatIpv4 } from './ip-text';
import { fragmentResult } from './packet-result';

export const IPV4_MIN_HEADER_SIZE = 20;
const MORE_FRAGMENTS = 0x2000;
const OFFSET_MASK = 0x1fff;

/**
 * IPv4 header, options included (IHL > 5). The total length bounds the payload, which drops Ethernet
 * padding and trailing FCS; a total length of 0 (TSO/GSO packets captured before segmentation) means
 * "the rest of the frame". The header checksum is not verified: captures of locally sent traffic often
 * carry checksums the NIC fills in later.
 */
export function decodeIpv4(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + IPV4_MIN_HEADER_SIZE > end) return fail('truncated', 'IPv4 header truncated');
  const first = buf[off];
  if (first >> 4 !== 4) return fail('bad-header', `IP version ${first >> 4} where IPv4 was expected`);
  const headerSize = (first & 0x0f) * 4;
  if (headerSize < IPV4_MIN_HEADER_SIZE) return fail('bad-header', `IPv4 header length ${headerSize}`);
  if (off + headerSize > end) return fail('truncated', 'IPv4 options truncated');
  const totalLength = buf.readUInt16BE(off + 2);
  let ipEnd = end;
  if (totalLength !== 0) {
    if (totalLength < headerSize) return fail('bad-header', `IPv4 total length ${totalLength} below header length`);
    if (off + totalLength > end) return fail('truncated', `IPv4 packet truncated (${end - off} of ${totalLength} bytes)`);
    ipEnd = off + totalLength;
  }
  st.family = 2;
  st.srcIp = formatIpv4(buf, off + 12);
  st.dstIp = formatIpv4(buf, off + 16);
  const protocol = buf[off + 9];
  const fragmentField = buf.readUInt16BE(off + 6);
  if ((fragmentField & (MORE_FRAGMENTS | OFFSET_MASK)) !== 0) {
    const id = buf.readUInt16BE(off + 4);
    const offset = (fragmentField & OFFSET_MASK) * 8;
    const more = (fragmentField & MORE_FRAGMENTS) !== 0;
    return fragmentResult(st, id, protocol, offset, more, buf.subarray(off + headerSize, ipEnd));
  }
  return decodeIpPayload(st, protocol, buf, off + headerSize, ipEnd);
}
