import { PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS } from './classic-pcap';

export interface PcapWriteRecord {
  tsMicros: bigint;
  frame: Buffer;
  /** Length on the wire; the frame's length by default. */
  originalLength?: number;
}

export interface PcapWriteOptions {
  /** Link type of every frame (1 Ethernet, 101 raw IP, ...); 1 by default. */
  linktype?: number;
  /** Writes the nanosecond magic and nanosecond fractions. */
  nanoseconds?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
}

/** A classic pcap file of the given frames (for tests, exports and replay fixtures). */
export function writePcap(records: Iterable<PcapWriteRecord>, options: PcapWriteOptions = {}): Buffer {
  const be = options.bigEndian === true;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, off: number): void => {
    if (be) b.writeUInt32BE(v >>> 0, off);
    else b.writeUInt32LE(v >>> 0, off);
  };
  const u16 = (b: Buffer, v: number, off: number): void => {
    if (be) b.writeUInt16BE(v, off);
    else b.writeUInt16LE(v, off);
  };
  u32(header, options.nanoseconds ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, options.snaplen ?? 262144, 16);
  u32(header, options.linktype ?? 1, 20);
  parts.push(header);
  for (const r of records) {
    const h = Buffer.alloc(16);
    const seconds = r.tsMicros / 1_000_000n;
    const micros = Number(r.tsMicros % 1_000_000n);
    u32(h, Number(seconds), 0);
    u32(h, options.nanoseconds ? micros * 1000 : micros, 4);
    u32(h, r.frame.length, 8);
    u32(h, r.originalLength ?? r.frame.length, 12);
    parts.push(h, r.frame);
  }
  return Buffer.concat(parts);
}
