import { RtcpError } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { u32 } from './read';

/**
 * Source description (PT 202, RFC 3550 6.5): `count` chunks, each an SSRC and items (type u8, length u8,
 * text) ended by a 0 type and padded to 32 bits. Every item of every chunk goes to sdes_information, with
 * its chunk's SSRC as rtpengine writes it.
 */
export function readSdes(b: Buffer, start: number, end: number, count: number, out: RtcpJson): void {
  let o = start + 4;
  const items: { sdes_chunk_ssrc: number; type: number; text: string }[] = out.sdes_information ?? [];
  for (let c = 0; c < count; c++) {
    if (o + 4 > end) throw new RtcpError('truncated', `SDES says ${count} chunks but ends in chunk ${c + 1}`);
    const ssrc = u32(b, o);
    if (out.sdes_ssrc === undefined) out.sdes_ssrc = ssrc;
    o += 4;
    for (;;) {
      if (o >= end) throw new RtcpError('truncated', `SDES chunk ${c + 1} has no end item`);
      const type = b[o];
      if (type === 0) {
        // The end item and the padding up to the next 32-bit boundary (from the packet's start).
        o += 4 - ((o - start) & 3);
        break;
      }
      if (o + 2 > end) throw new RtcpError('truncated', `SDES item of chunk ${c + 1} has no length`);
      const len = b[o + 1];
      if (o + 2 + len > end) throw new RtcpError('truncated', `SDES item of ${len} bytes runs past its packet`);
      items.push({ sdes_chunk_ssrc: ssrc, type, text: b.toString('utf8', o + 2, o + 2 + len) });
      o += 2 + len;
    }
    if (o > end) throw new RtcpError('truncated', `SDES chunk ${c + 1} padding runs past its packet`);
  }
  out.sdes_report_count = (out.sdes_report_count ?? 0) + count;
  out.sdes_information = items;
}
