import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { BSD_AF_INET, BSD_AF_INET6 } from './linktype';

export const LOOPBACK_HEADER_SIZE = 4;

/**
 * BSD loopback (linktype 0): a 4-byte address family in the byte order of the host that captured, which
 * the file does not say. Families are small numbers, so a value with high bits set must be the other order.
 */
export function decodeNull(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + LOOPBACK_HEADER_SIZE > end) return fail('truncated', 'loopback header truncated');
  let family = buf.readUInt32LE(off);
  if (family > 0xffff) family = buf.readUInt32BE(off);
  return decodeFamily(st, family, buf, off + LOOPBACK_HEADER_SIZE, end);
}

/** OpenBSD loopback (linktype 108): the same header in network byte order. */
export function decodeLoop(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + LOOPBACK_HEADER_SIZE > end) return fail('truncated', 'loopback header truncated');
  return decodeFamily(st, buf.readUInt32BE(off), buf, off + LOOPBACK_HEADER_SIZE, end);
}

function decodeFamily(st: DecodeState, family: number, buf: Buffer, off: number, end: number): FrameResult {
  if (family === BSD_AF_INET) return decodeIpv4(st, buf, off, end);
  if ((BSD_AF_INET6 as readonly number[]).includes(family)) return decodeIpv6(st, buf, off, end);
  return fail('unsupported-protocol', `loopback address family ${family}`);
}
