import { isPcapMagic, parsePcapFileHeader, PCAP_FILE_HEADER_SIZE, type PcapFileHeader } from './classic-pcap';
import { BLOCK_OVERHEAD, BlockType, BYTE_ORDER_MAGIC, parseInterfaceDescription, type PcapngInterface } from './pcapng-blocks';
import {
  MAX_RECORD_SIZE,
  type CaptureFileErrorReason,
  type CaptureFileFormat,
  type CaptureFileStatus,
  type PcapRecord,
} from './pcap-record';

const EMPTY = Buffer.alloc(0);

/**
 * Incremental reader of a classic pcap or pcapng file: `push` the bytes as they come (a whole file or
 * stream chunks), pull records with `next` until it returns undefined, and call `end` once the data is
 * exhausted. Records are views into the pushed chunks (no copy); a record split across chunks is joined
 * once. Bad data never throws: reading stops and `end` (or `failure`) says why.
 */
export class CaptureFileReader {
  private buf: Buffer = EMPTY;
  private off = 0;
  private format: CaptureFileFormat | undefined;
  private pcap: PcapFileHeader | undefined;
  private littleEndian = true;
  private interfaces: PcapngInterface[] = [];
  /** SPB has no timestamp: it gets the previous record's. */
  private lastTs = 0n;
  private error: { reason: CaptureFileErrorReason; message: string } | undefined;
  records = 0;
  /** Packets skipped: pcapng packet blocks naming an interface that was never described. */
  skipped = 0;

  push(chunk: Buffer | Uint8Array): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.off >= this.buf.length) this.buf = bytes;
    else this.buf = Buffer.concat([this.buf.subarray(this.off), bytes]);
    this.off = 0;
  }

  /** The next record, or undefined when more data is needed (or reading failed: see `failure`). */
  next(): PcapRecord | undefined {
    while (this.error === undefined) {
      const available = this.buf.length - this.off;
      if (this.format === undefined) {
        if (available < 4) return undefined;
        if (!this.startFormat()) return undefined;
        continue;
      }
      if (this.format === 'pcap') return this.nextPcapRecord(available);
      const record = this.nextPcapngBlock(available);
      if (record !== 'continue') return record;
    }
    return undefined;
  }

  get failure(): { reason: CaptureFileErrorReason; message: string } | undefined {
    return this.error;
  }

  /** Call after the last push and `next` returned undefined: the final status. */
  end(): CaptureFileStatus {
    if (this.error === undefined && this.off < this.buf.length) {
      this.error = { reason: 'truncated', message: `${this.buf.length - this.off} bytes left at the end of the data` };
    }
    if (this.error === undefined && this.format === undefined) {
      this.error = { reason: 'truncated', message: 'no data' };
    }
    const base = { format: this.format, records: this.records, skipped: this.skipped };
    return this.error === undefined ? { ok: true, ...base } : { ok: false, ...this.error, ...base };
  }

  /** A 32-bit field of the current file or section, in its byte order. */
  private u32(p: number): number {
    return this.littleEndian ? this.buf.readUInt32LE(p) : this.buf.readUInt32BE(p);
  }

  private fail(reason: CaptureFileErrorReason, message: string): undefined {
    this.error = { reason, message };
    return undefined;
  }

  /** Decides the format from the magic; false when more bytes are needed or the magic is unknown. */
  private startFormat(): boolean {
    const head = this.buf.subarray(this.off);
    if (head.readUInt32LE(0) === BlockType.SECTION_HEADER) {
      this.format = 'pcapng';
      return true;
    }
    if (!isPcapMagic(head)) {
      this.fail('bad-magic', `unknown magic 0x${head.readUInt32BE(0).toString(16)}`);
      return false;
    }
    if (head.length < PCAP_FILE_HEADER_SIZE) return false;
    const header = parsePcapFileHeader(head)!;
    this.format = 'pcap';
    this.pcap = header;
    this.littleEndian = header.littleEndian;
    this.off += PCAP_FILE_HEADER_SIZE;
    return true;
  }

  private nextPcapRecord(available: number): PcapRecord | undefined {
    const h = this.pcap!;
    if (available < h.recordHeaderSize) return undefined;
    const b = this.buf;
    const o = this.off;
    const capturedLength = this.u32(o + 8);
    if (capturedLength > MAX_RECORD_SIZE) return this.fail('bad-record', `record of ${capturedLength} captured bytes`);
    if (available < h.recordHeaderSize + capturedLength) return undefined;
    const seconds = this.u32(o);
    const fraction = this.u32(o + 4);
    const micros = h.nanoseconds ? Math.floor(fraction / 1000) : fraction;
    const start = o + h.recordHeaderSize;
    this.off = start + capturedLength;
    this.records++;
    return {
      linktype: h.linktype,
      tsMicros: BigInt(seconds * 1_000_000 + micros),
      frame: b.subarray(start, start + capturedLength),
      originalLength: this.u32(o + 12),
      interfaceId: 0,
    };
  }

  /** One pcapng block: a record, undefined (need data / failed) or 'continue' after a non-packet block. */
  private nextPcapngBlock(available: number): PcapRecord | undefined | 'continue' {
    if (available < 8) return undefined;
    const b = this.buf;
    const o = this.off;
    const type = b.readUInt32LE(o); // the SHB type reads the same in both orders
    if (type === BlockType.SECTION_HEADER) {
      if (available < 12) return undefined;
      const bom = b.readUInt32LE(o + 8);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (b.readUInt32BE(o + 8) === BYTE_ORDER_MAGIC) this.littleEndian = false;
      else return this.fail('bad-block', `bad byte-order magic 0x${b.readUInt32BE(o + 8).toString(16)}`);
      this.interfaces = []; // interface ids are per section
    }
    const le = this.littleEndian;
    const blockType = this.u32(o);
    const length = this.u32(o + 4);
    if (length < BLOCK_OVERHEAD || length % 4 !== 0 || length > MAX_RECORD_SIZE) {
      return this.fail('bad-block', `block of type 0x${blockType.toString(16)} with length ${length}`);
    }
    if (available < length) return undefined;
    if (this.u32(o + length - 4) !== length) {
      return this.fail('bad-block', `block of type 0x${blockType.toString(16)}: trailing length differs from ${length}`);
    }
    const body = o + 8;
    const bodyEnd = o + length - 4;
    this.off = o + length;

    switch (blockType) {
      case BlockType.SECTION_HEADER:
        if (bodyEnd - body < 16) return this.fail('bad-block', 'section header block too short');
        return 'continue';
      case BlockType.INTERFACE_DESCRIPTION: {
        const iface = parseInterfaceDescription(b, body, bodyEnd, le);
        if (iface === undefined) return this.fail('bad-block', 'interface description block too short');
        this.interfaces.push(iface);
        return 'continue';
      }
      case BlockType.ENHANCED_PACKET: {
        if (bodyEnd - body < 20) return this.fail('bad-block', 'enhanced packet block too short');
        const capturedLength = this.u32(body + 12);
        if (body + 20 + capturedLength > bodyEnd) return this.fail('bad-block', 'enhanced packet data beyond its block');
        return this.packet(this.u32(body), this.u32(body + 4), this.u32(body + 8), body + 20, capturedLength, this.u32(body + 16));
      }
      case BlockType.OBSOLETE_PACKET: {
        if (bodyEnd - body < 20) return this.fail('bad-block', 'packet block too short');
        const capturedLength = this.u32(body + 12);
        if (body + 20 + capturedLength > bodyEnd) return this.fail('bad-block', 'packet data beyond its block');
        const id = le ? b.readUInt16LE(body) : b.readUInt16BE(body);
        return this.packet(id, this.u32(body + 4), this.u32(body + 8), body + 20, capturedLength, this.u32(body + 16));
      }
      case BlockType.SIMPLE_PACKET: {
        if (bodyEnd - body < 4) return this.fail('bad-block', 'simple packet block too short');
        const originalLength = this.u32(body);
        const iface = this.interfaces[0];
        let capturedLength = Math.min(originalLength, bodyEnd - body - 4);
        if (iface !== undefined && iface.snaplen > 0) capturedLength = Math.min(capturedLength, iface.snaplen);
        return this.packet(0, -1, 0, body + 4, capturedLength, originalLength);
      }
      default:
        return 'continue'; // name resolution, statistics, decryption secrets, custom blocks
    }
  }

  /** A packet block's record; `high` -1 means no timestamp (SPB). */
  private packet(
    id: number,
    high: number,
    low: number,
    start: number,
    capturedLength: number,
    originalLength: number,
  ): PcapRecord | 'continue' {
    const iface = this.interfaces[id];
    if (iface === undefined) {
      this.skipped++;
      return 'continue';
    }
    const tsMicros = high < 0 ? this.lastTs : iface.toMicros(high, low);
    this.lastTs = tsMicros;
    this.records++;
    return {
      linktype: iface.linktype,
      tsMicros,
      frame: this.buf.subarray(start, start + capturedLength),
      originalLength,
      interfaceId: id,
    };
  }
}
