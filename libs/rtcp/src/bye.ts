import { RtcpError } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { u32 } from './read';

/** Goodbye (PT 203, RFC 3550 6.6): `count` SSRCs, then optionally a length-prefixed reason. */
export function readBye(b: Buffer, start: number, end: number, count: number, out: RtcpJson): void {
  let o = start + 4;
  if (o + 4 * count > end) throw new RtcpError('truncated', `BYE says ${count} SSRCs but has room for ${Math.floor((end - o) / 4)}`);
  const ssrcs: number[] = new Array(count);
  for (let i = 0; i < count; i++, o += 4) ssrcs[i] = u32(b, o);
  const bye: { ssrcs: number[]; reason?: string } = { ssrcs };
  if (o < end) {
    const len = b[o];
    if (o + 1 + len > end) throw new RtcpError('truncated', `BYE reason of ${len} bytes runs past its packet`);
    bye.reason = b.toString('utf8', o + 1, o + 1 + len);
  }
  out.bye = bye;
}
