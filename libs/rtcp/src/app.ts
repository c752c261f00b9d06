import { RtcpError } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { u32 } from './read';

/** Application-defined (PT 204, RFC 3550 6.7): SSRC, a 4-character name, data (its length is kept, not its bytes). */
export function readApp(b: Buffer, start: number, end: number, subtype: number, out: RtcpJson): void {
  if (end - start < 12) throw new RtcpError('too_short', `APP of ${end - start} bytes is shorter than its 12-byte fixed part`);
  out.app = { ssrc: u32(b, start + 4), subtype, name: b.toString('latin1', start + 8, start + 12), data_length: end - start - 12 };
}
