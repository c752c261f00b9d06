import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { packetResult } from './packet-result';

/** Source port, destination port, verification tag, checksum. */
export const SCTP_COMMON_HEADER_SIZE = 12;

/** SCTP common header; the payload is the chunk list (see sctpDataChunks for the user messages in it). */
export function decodeSctp(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + SCTP_COMMON_HEADER_SIZE > end) return fail('truncated', 'SCTP common header truncated');
  return packetResult(st, 132, buf.readUInt16BE(off), buf.readUInt16BE(off + 2), buf, off + SCTP_COMMON_HEADER_SIZE, end, undefined);
}

const DATA_CHUNK = 0;
/** Type, flags, length, TSN, stream id, stream sequence, payload protocol id. */
const DATA_CHUNK_HEADER_SIZE = 16;
/** B and E flags: the chunk holds a whole user message (begin and end). */
const UNFRAGMENTED = 0x03;

/**
 * The user messages of the DATA chunks in an SCTP chunk list that hold a whole message each (views, no
 * copy). Messages fragmented over several chunks are not reassembled: SIP over SCTP rarely needs it.
 */
export function sctpDataChunks(chunks: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (off + 4 <= chunks.length) {
    const length = chunks.readUInt16BE(off + 2);
    if (length < 4 || off + length > chunks.length) break;
    if (chunks[off] === DATA_CHUNK && length > DATA_CHUNK_HEADER_SIZE && (chunks[off + 1] & UNFRAGMENTED) === UNFRAGMENTED) {
      out.push(chunks.subarray(off + DATA_CHUNK_HEADER_SIZE, off + length));
    }
    off += (length + 3) & ~3; // chunks are padded to 4 bytes
  }
  return out;
}
