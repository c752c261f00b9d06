/**
 * Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): a 24-byte file header,
 * then records of a 16-byte header (seconds, micro- or nanoseconds, captured length, original length)
 * and the frame. The magic number says the byte order and the time unit.
 */
export const PCAP_FILE_HEADER_SIZE = 24;
export const PCAP_RECORD_HEADER_SIZE = 16;
/** Kuznetzov's patched libpcap added ifindex (4), protocol (2), packet type (1) and padding (1). */
export const PCAP_MODIFIED_RECORD_HEADER_SIZE = 24;

export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

/** libpcap's LT_LINKTYPE: the upper bits of the field carry FCS information. */
const LINKTYPE_MASK = 0x03ffffff;

export interface PcapFileHeader {
  littleEndian: boolean;
  nanoseconds: boolean;
  recordHeaderSize: number;
  snaplen: number;
  linktype: number;
}

/** The file header at the start of `buf` (at least 24 bytes), or undefined when the magic is not pcap's. */
export function parsePcapFileHeader(buf: Buffer): PcapFileHeader | undefined {
  let littleEndian: boolean;
  let magic = buf.readUInt32LE(0);
  if (magic === PCAP_MAGIC_MICROS || magic === PCAP_MAGIC_NANOS || magic === PCAP_MAGIC_MODIFIED) {
    littleEndian = true;
  } else {
    magic = buf.readUInt32BE(0);
    if (magic !== PCAP_MAGIC_MICROS && magic !== PCAP_MAGIC_NANOS && magic !== PCAP_MAGIC_MODIFIED) return undefined;
    littleEndian = false;
  }
  const u32 = (off: number): number => (littleEndian ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  return {
    littleEndian,
    nanoseconds: magic === PCAP_MAGIC_NANOS,
    recordHeaderSize: magic === PCAP_MAGIC_MODIFIED ? PCAP_MODIFIED_RECORD_HEADER_SIZE : PCAP_RECORD_HEADER_SIZE,
    snaplen: u32(16),
    linktype: u32(20) & LINKTYPE_MASK,
  };
}

/** True when the first 4 bytes are a classic pcap magic in either byte order. */
export function isPcapMagic(buf: Buffer): boolean {
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  const known = (m: number): boolean => m === PCAP_MAGIC_MICROS || m === PCAP_MAGIC_NANOS || m === PCAP_MAGIC_MODIFIED;
  return known(le) || known(be);
}
