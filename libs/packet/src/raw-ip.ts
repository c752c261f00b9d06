import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

/** Raw IP (linktypes 101, 12, 14): no link header, the version nibble says IPv4 or IPv6. */
export function decodeRawIp(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off >= end) return fail('truncated', 'empty raw IP frame');
  const version = buf[off] >> 4;
  if (version === 4) return decodeIpv4(st, buf, off, end);
  if (version === 6) return decodeIpv6(st, buf, off, end);
  return fail('bad-header', `raw IP frame with version ${version}`);
}
