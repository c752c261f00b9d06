import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { packetResult } from './packet-result';

export const TCP_MIN_HEADER_SIZE = 20;

/** TCP header (options skipped by the data offset); the segment's data runs to the end of the IP packet. */
export function decodeTcp(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + TCP_MIN_HEADER_SIZE > end) return fail('truncated', 'TCP header truncated');
  const headerSize = (buf[off + 12] >> 4) * 4;
  if (headerSize < TCP_MIN_HEADER_SIZE) return fail('bad-header', `TCP data offset ${headerSize}`);
  if (off + headerSize > end) return fail('truncated', 'TCP options truncated');
  const tcp = { seq: buf.readUInt32BE(off + 4), ack: buf.readUInt32BE(off + 8), flags: buf[off + 13] };
  return packetResult(st, 6, buf.readUInt16BE(off), buf.readUInt16BE(off + 2), buf, off + headerSize, end, tcp);
}
