/**
 * pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): blocks of type (4), total
 * length (4), body, total length again (4), in the byte order of the section header block.
 */
export const BlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  /** Obsolete packet block: 16-bit interface id and drops count instead of a 32-bit interface id. */
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;

export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const BLOCK_OVERHEAD = 12;

const OPTION_END = 0;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** What a packet block needs from its interface description block. */
export interface PcapngInterface {
  linktype: number;
  snaplen: number;
  /** Converts the block's 64-bit time units to microseconds since the epoch. */
  toMicros(high: number, low: number): bigint;
}

/** Reads the interface description block body at [off, end) in the given byte order. */
export function parseInterfaceDescription(buf: Buffer, off: number, end: number, le: boolean): PcapngInterface | undefined {
  if (off + 8 > end) return undefined;
  const linktype = le ? buf.readUInt16LE(off) : buf.readUInt16BE(off);
  const snaplen = le ? buf.readUInt32LE(off + 4) : buf.readUInt32BE(off + 4);
  let resolution = 6; // default: microseconds
  let offsetSeconds = 0n;
  let p = off + 8;
  while (p + 4 <= end) {
    const code = le ? buf.readUInt16LE(p) : buf.readUInt16BE(p);
    const length = le ? buf.readUInt16LE(p + 2) : buf.readUInt16BE(p + 2);
    if (code === OPTION_END) break;
    const value = p + 4;
    if (value + length > end) break;
    if (code === IF_TSRESOL && length >= 1) resolution = buf[value];
    if (code === IF_TSOFFSET && length >= 8) offsetSeconds = le ? buf.readBigInt64LE(value) : buf.readBigInt64BE(value);
    p = value + ((length + 3) & ~3);
  }
  return { linktype, snaplen, toMicros: timestampConverter(resolution, offsetSeconds) };
}

/**
 * if_tsresol: high bit clear, units are 10^-n s; set, 2^-n s. The common microsecond case stays in
 * Number arithmetic (exact below 2^53); other resolutions go through bigint.
 */
function timestampConverter(resolution: number, offsetSeconds: bigint): (high: number, low: number) => bigint {
  const offsetMicros = offsetSeconds * 1_000_000n;
  if (resolution === 6) {
    return (high, low) => BigInt(high * 0x1_0000_0000 + low) + offsetMicros;
  }
  const units = (high: number, low: number): bigint => (BigInt(high) << 32n) | BigInt(low);
  if ((resolution & 0x80) !== 0) {
    const shift = BigInt(resolution & 0x7f);
    return (high, low) => ((units(high, low) * 1_000_000n) >> shift) + offsetMicros;
  }
  if (resolution > 6) {
    const divisor = 10n ** BigInt(resolution - 6);
    return (high, low) => units(high, low) / divisor + offsetMicros;
  }
  const factor = 10n ** BigInt(6 - resolution);
  return (high, low) => units(high, low) * factor + offsetMicros;
}
