import { readApp } from './app';
import { readBye } from './bye';
import { u16, u32 } from './read';
import { readReceiverReport, readSenderReport } from './report-blocks';
import { MAX_RTCP_BYTES, RtcpError, type RtcpErrorReason } from './rtcp-error';
import type { RtcpJson } from './rtcp-json';
import { readSdes } from './sdes';
import { readXr } from './xr';

export type RtcpDecodeResult = { ok: true; json: RtcpJson } | { ok: false; reason: RtcpErrorReason; message: string };

/** Report blocks and SDES items kept at most (over the whole compound), so the JSON stays bounded. */
export const MAX_REPORT_BLOCKS = 256;
export const MAX_SDES_ITEMS = 64;

/**
 * Decodes a compound RTCP packet (RFC 3550 6.1; RFC 3611 XR) into the JSON object heplify, captagent and
 * rtpengine send (see rtcp-json.ts). Every length is checked against the buffer before it is used; a
 * bad packet gives { ok: false, reason } from RTCP_ERROR_REASONS, never a throw.
 */
export function decodeRtcp(buf: Buffer): RtcpDecodeResult {
  try {
    return { ok: true, json: walk(buf) };
  } catch (e) {
    if (e instanceof RtcpError) return { ok: false, reason: e.reason, message: e.message };
    // Only a bug gets here (every read is bounds-checked first); still not the caller's crash.
    return { ok: false, reason: 'truncated', message: `RTCP decoder: ${(e as Error).message}` };
  }
}

/** decodeRtcp, then JSON text: what is stored in rtcp_capture.msg. */
export function decodeRtcpToJson(buf: Buffer): { ok: true; text: string } | { ok: false; reason: RtcpErrorReason; message: string } {
  const r = decodeRtcp(buf);
  return r.ok ? { ok: true, text: JSON.stringify(r.json) } : r;
}

function walk(b: Buffer): RtcpJson {
  const n = b.length;
  if (n < 4) throw new RtcpError('too_short', `${n} bytes is shorter than an RTCP header`);
  if (n > MAX_RTCP_BYTES) throw new RtcpError('too_large', `${n} bytes is more than ${MAX_RTCP_BYTES}`);
  // packet_types is set last so that it comes after the fields the other senders write.
  const out = {
    sender_information: { ntp_timestamp_sec: 0, ntp_timestamp_usec: 0, rtp_timestamp: 0, packets: 0, octets: 0 },
    ssrc: 0,
    type: 0,
    report_count: 0,
    report_blocks: [],
  } as unknown as RtcpJson;
  const types: number[] = [];
  let report = false; // an SR or RR has set the top level
  let o = 0;
  while (o < n) {
    if (o + 4 > n) throw new RtcpError('bad_length', `${n - o} bytes after the last packet are no RTCP header`);
    const first = b[o];
    const count = first & 0x1f;
    const type = b[o + 1];
    if (first >> 6 !== 2) throw new RtcpError('bad_version', `packet at byte ${o} has version ${first >> 6}`);
    if (o === 0 && (type < 192 || type > 223)) throw new RtcpError('bad_type', `first packet type ${type} is not RTCP (192..223)`);
    const size = (u16(b, o + 2) + 1) * 4;
    if (o + size > n) throw new RtcpError('bad_length', `packet at byte ${o} says ${size} bytes, ${n - o} remain`);
    let end = o + size;
    if (first & 0x20) {
      const pad = b[end - 1];
      if (pad === 0 || pad > size - 4) throw new RtcpError('bad_padding', `padding of ${pad} bytes in a ${size}-byte packet`);
      end -= pad;
    }
    if (types.length === 0) {
      out.type = type;
      out.report_count = count;
      if (size >= 8) out.ssrc = u32(b, o + 4);
    }
    types.push(type);
    switch (type) {
      case 200:
      case 201:
        if (!report) {
          report = true;
          if (type === 200) readSenderReport(b, o, end, count, out);
          else readReceiverReport(b, o, end, count, out);
        } else {
          // A further SR/RR (more than 31 sources, RFC 3550 6.4.2): its blocks join the first one's.
          const more: RtcpJson = { ...out, report_blocks: [], sender_information: { ...out.sender_information } };
          if (type === 200) readSenderReport(b, o, end, count, more);
          else readReceiverReport(b, o, end, count, more);
          out.report_blocks.push(...more.report_blocks);
          out.report_count += count;
        }
        if (out.report_blocks.length > MAX_REPORT_BLOCKS) throw new RtcpError('too_large', `more than ${MAX_REPORT_BLOCKS} report blocks`);
        break;
      case 202:
        readSdes(b, o, end, count, out);
        if (out.sdes_information!.length > MAX_SDES_ITEMS) throw new RtcpError('too_large', `more than ${MAX_SDES_ITEMS} SDES items`);
        break;
      case 203:
        if (out.bye === undefined) readBye(b, o, end, count, out);
        break;
      case 204:
        if (out.app === undefined) readApp(b, o, end, count, out);
        break;
      case 207: {
        const ssrc = readXr(b, o, end, out);
        if (!report && types.length === 1) out.ssrc = ssrc;
        break;
      }
      default:
        if (type < 192 || type > 223) throw new RtcpError('bad_type', `packet type ${type} at byte ${o} is not RTCP`);
      // Feedback (205, 206) and other RTCP types: listed in packet_types, not decoded.
    }
    o += size;
  }
  out.packet_types = types;
  return out;
}
