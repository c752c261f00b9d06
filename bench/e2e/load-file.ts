import { closeSync, openSync, writeSync } from 'node:fs';
import { encodeHep3 } from '@sipcap/hep';
import { SipParser } from '@sipcap/sip';
import { MAX_SIZE, MIN_SIZE, sipTraffic } from './sip-load';

const parser = new SipParser();

const TIME_SEC_CHUNK = 9;
const NO_TIME = 0xffff;

/** Offset of the HEP3 time-seconds chunk's data (the sender writes the send time there). */
function timeChunkData(p: Buffer): number {
  let off = 6;
  while (off + 6 <= p.length) {
    const type = p.readUInt16BE(off + 2);
    const len = p.readUInt16BE(off + 4);
    if (type === TIME_SEC_CHUNK && p.readUInt16BE(off) === 0) return off + 6;
    if (len < 6) break;
    off += len;
  }
  return NO_TIME;
}

export interface LoadFile {
  path: string;
  packets: number;
  bytes: number;
  /** SIP payload sizes. */
  minSip: number;
  maxSip: number;
  avgHep: number;
}

/**
 * Pre-encodes `count` unique SIP messages as HEP3 (capture agent id 2001, a time stamped at send time)
 * into the sender's file format: u16 length, u16 time-chunk offset, packet. Checks every message's
 * size and parses a sample with the project's SIP parser, so a generator bug cannot pass as loss.
 */
export function writeLoadFile(path: string, count: number, tag: string): LoadFile {
  const fd = openSync(path, 'w');
  const chunk = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let bytes = 0;
  let minSip = Infinity;
  let maxSip = 0;
  let i = 0;
  try {
    for (const d of sipTraffic(count, tag)) {
      const payload = Buffer.from(d.payload, 'latin1');
      if (payload.length < MIN_SIZE || payload.length > MAX_SIZE)
        throw new Error(`generated a ${payload.length}-byte message, outside ${MIN_SIZE}..${MAX_SIZE}:\n${d.payload}`);
      if (i % 997 === 0) {
        const parsed = parser.parse(payload);
        if (!parsed.ok) throw new Error(`generated a message the SIP parser refuses (${parsed.reason}):\n${d.payload}`);
      }
      minSip = Math.min(minSip, payload.length);
      maxSip = Math.max(maxSip, payload.length);
      const hep = encodeHep3({ ...d, payload, tsSec: 0, tsUsec: 0, captureId: 2001 });
      if (used + 4 + hep.length > chunk.length) {
        writeSync(fd, chunk, 0, used);
        used = 0;
      }
      chunk.writeUInt16BE(hep.length, used);
      chunk.writeUInt16BE(timeChunkData(hep), used + 2);
      hep.copy(chunk, used + 4);
      used += 4 + hep.length;
      bytes += hep.length;
      i++;
    }
    writeSync(fd, chunk, 0, used);
  } finally {
    closeSync(fd);
  }
  return { path, packets: i, bytes, minSip, maxSip, avgHep: bytes / Math.max(1, i) };
}
