import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeIpPayload } from './ip-payload';
import { formatIpv6 } from './ip-text';
import { fragmentResult } from './packet-result';

export const IPV6_HEADER_SIZE = 40;

/** Extension headers followed before giving up: bounds the work on a crafted chain. */
const MAX_EXTENSION_HEADERS = 16;

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const ESP = 50;
const AH = 51;
const NO_NEXT_HEADER = 59;
const DESTINATION_OPTIONS = 60;
const MOBILITY = 135;
const HIP = 139;
const SHIM6 = 140;

/**
 * IPv6 header. The payload length bounds the packet (0: jumbogram or TSO capture, the rest of the frame);
 * the extension headers are walked by decodeIpv6Chain.
 */
export function decodeIpv6(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + IPV6_HEADER_SIZE > end) return fail('truncated', 'IPv6 header truncated');
  if (buf[off] >> 4 !== 6) return fail('bad-header', `IP version ${buf[off] >> 4} where IPv6 was expected`);
  const payloadLength = buf.readUInt16BE(off + 4);
  let ipEnd = end;
  if (payloadLength !== 0) {
    const total = IPV6_HEADER_SIZE + payloadLength;
    if (off + total > end) return fail('truncated', `IPv6 packet truncated (${end - off} of ${total} bytes)`);
    ipEnd = off + total;
  }
  st.family = 10;
  st.srcIp = formatIpv6(buf, off + 8);
  st.dstIp = formatIpv6(buf, off + 24);
  return decodeIpv6Chain(st, buf[off + 6], buf, off + IPV6_HEADER_SIZE, ipEnd, true);
}

/**
 * Walks IPv6 extension headers from `next` until the upper-layer protocol. A fragment header ends the
 * walk with a fragment (the rest of the chain is in the fragmentable part, walked after reassembly,
 * where `allowFragment` is false). ESP is opaque and no-next-header has nothing to decode.
 */
export function decodeIpv6Chain(st: DecodeState, next: number, buf: Buffer, off: number, end: number, allowFragment: boolean): FrameResult {
  for (let i = 0; i < MAX_EXTENSION_HEADERS; i++) {
    switch (next) {
      case HOP_BY_HOP:
      case ROUTING:
      case DESTINATION_OPTIONS:
      case MOBILITY:
      case HIP:
      case SHIM6: {
        if (off + 8 > end) return fail('truncated', `IPv6 extension header ${next} truncated`);
        const size = (buf[off + 1] + 1) * 8;
        if (off + size > end) return fail('truncated', `IPv6 extension header ${next} truncated`);
        next = buf[off];
        off += size;
        break;
      }
      case AH: {
        if (off + 8 > end) return fail('truncated', 'IPv6 authentication header truncated');
        const size = (buf[off + 1] + 2) * 4;
        if (off + size > end) return fail('truncated', 'IPv6 authentication header truncated');
        next = buf[off];
        off += size;
        break;
      }
      case FRAGMENT: {
        if (!allowFragment) return fail('bad-header', 'IPv6 fragment header inside a reassembled datagram');
        if (off + 8 > end) return fail('truncated', 'IPv6 fragment header truncated');
        const inner = buf[off];
        const field = buf.readUInt16BE(off + 2);
        const offset = field & 0xfff8;
        const more = (field & 0x0001) !== 0;
        if (offset === 0 && !more) {
          // Atomic fragment (RFC 6946): the whole datagram, nothing to reassemble.
          next = inner;
          off += 8;
          break;
        }
        return fragmentResult(st, buf.readUInt32BE(off + 4), inner, offset, more, buf.subarray(off + 8, end));
      }
      case ESP:
        return fail('unsupported-protocol', 'IPv6 ESP (encrypted payload)');
      case NO_NEXT_HEADER:
        return fail('unsupported-protocol', 'IPv6 no next header');
      default:
        return decodeIpPayload(st, next, buf, off, end);
    }
  }
  return fail('bad-header', `more than ${MAX_EXTENSION_HEADERS} IPv6 extension headers`);
}
