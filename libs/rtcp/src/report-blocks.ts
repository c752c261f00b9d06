import { RtcpError } from './rtcp-error';
import type { RtcpJson, RtcpReportBlock } from './rtcp-json';
import { s24, u32 } from './read';

const BLOCK = 24;

/** `count` report blocks from `o`, which must end by `end` (the packet's end without padding). */
export function readReportBlocks(b: Buffer, o: number, end: number, count: number, what: string): RtcpReportBlock[] {
  if (o + count * BLOCK > end)
    throw new RtcpError('truncated', `${what} says ${count} report blocks but has room for ${Math.max(0, Math.floor((end - o) / BLOCK))}`);
  const blocks: RtcpReportBlock[] = new Array(count);
  for (let i = 0; i < count; i++, o += BLOCK) {
    blocks[i] = {
      source_ssrc: u32(b, o),
      highest_seq_no: u32(b, o + 8),
      fraction_lost: b[o + 4],
      ia_jitter: u32(b, o + 12),
      packets_lost: s24(b, o + 5),
      lsr: u32(b, o + 16),
      dlsr: u32(b, o + 20),
    };
  }
  return blocks;
}

/** Sender report (PT 200, RFC 3550 6.4.1): sender info, then report blocks (profile extensions ignored). */
export function readSenderReport(b: Buffer, start: number, end: number, count: number, out: RtcpJson): void {
  if (end - start < 28) throw new RtcpError('too_short', `SR of ${end - start} bytes is shorter than its 28-byte fixed part`);
  out.ssrc = u32(b, start + 4);
  const s = out.sender_information;
  s.ntp_timestamp_sec = u32(b, start + 8);
  s.ntp_timestamp_usec = u32(b, start + 12);
  s.rtp_timestamp = u32(b, start + 16);
  s.packets = u32(b, start + 20);
  s.octets = u32(b, start + 24);
  out.type = 200;
  out.report_count = count;
  out.report_blocks = readReportBlocks(b, start + 28, end, count, 'SR');
}

/** Receiver report (PT 201, RFC 3550 6.4.2): the reporter's SSRC, then report blocks. */
export function readReceiverReport(b: Buffer, start: number, end: number, count: number, out: RtcpJson): void {
  if (end - start < 8) throw new RtcpError('too_short', `RR of ${end - start} bytes is shorter than its 8-byte fixed part`);
  out.ssrc = u32(b, start + 4);
  out.type = 201;
  out.report_count = count;
  out.report_blocks = readReportBlocks(b, start + 8, end, count, 'RR');
}
