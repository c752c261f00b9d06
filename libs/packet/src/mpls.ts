import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

/** Labels followed before giving up; real stacks are 1 to 3 deep. */
const MAX_LABELS = 8;

/**
 * MPLS label stack (seen on some mirror/SPAN ports of provider networks). The stack has no next-protocol
 * field: after the bottom-of-stack label the IP version nibble says IPv4 or IPv6.
 */
export function decodeMpls(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  for (let i = 0; i < MAX_LABELS; i++) {
    if (off + 4 > end) return fail('truncated', 'MPLS label truncated');
    const bottom = (buf[off + 2] & 0x01) !== 0;
    off += 4;
    if (!bottom) continue;
    if (off >= end) return fail('truncated', 'MPLS payload missing');
    const version = buf[off] >> 4;
    if (version === 4) return decodeIpv4(st, buf, off, end);
    if (version === 6) return decodeIpv6(st, buf, off, end);
    return fail('unsupported-protocol', `MPLS payload is not IP (first nibble ${version})`);
  }
  return fail('bad-header', `MPLS stack deeper than ${MAX_LABELS} labels`);
}
