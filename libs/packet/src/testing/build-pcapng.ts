/** pcapng blocks for tests of the reader (and fixtures for replay). `le` picks the section's byte order. */

function pad4(b: Buffer): Buffer {
  const rest = (4 - (b.length % 4)) % 4;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(rest)]);
}

/** A block: type, total length, body (padded), total length. */
export function pcapngBlock(le: boolean, type: number, body: Buffer): Buffer {
  const padded = pad4(body);
  const length = padded.length + 12;
  const head = Buffer.alloc(8);
  const tail = Buffer.alloc(4);
  if (le) {
    head.writeUInt32LE(type >>> 0, 0);
    head.writeUInt32LE(length, 4);
    tail.writeUInt32LE(length, 0);
  } else {
    head.writeUInt32BE(type >>> 0, 0);
    head.writeUInt32BE(length, 4);
    tail.writeUInt32BE(length, 0);
  }
  return Buffer.concat([head, padded, tail]);
}

/** Options list: each (code, value) padded to 4 bytes, then opt_endofopt. */
function options(le: boolean, list: [number, Buffer][]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts: Buffer[] = [];
  for (const [code, value] of list) {
    const h = Buffer.alloc(4);
    if (le) {
      h.writeUInt16LE(code, 0);
      h.writeUInt16LE(value.length, 2);
    } else {
      h.writeUInt16BE(code, 0);
      h.writeUInt16BE(value.length, 2);
    }
    parts.push(h, pad4(value));
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function sectionHeaderBlock(le: boolean): Buffer {
  const body = Buffer.alloc(16);
  if (le) {
    body.writeUInt32LE(0x1a2b3c4d, 0);
    body.writeUInt16LE(1, 4);
    body.writeUInt16LE(0, 6);
  } else {
    body.writeUInt32BE(0x1a2b3c4d, 0);
    body.writeUInt16BE(1, 4);
    body.writeUInt16BE(0, 6);
  }
  body.writeBigInt64LE(-1n, 8); // section length unknown (all ones in either order)
  return pcapngBlock(le, 0x0a0d0d0a, body);
}

export interface InterfaceOptions {
  linktype: number;
  snaplen?: number;
  /** if_tsresol byte (6 = microseconds, 9 = nanoseconds, 0x80|n = 2^-n). */
  tsresol?: number;
  /** if_tsoffset in seconds. */
  tsoffset?: bigint;
}

export function interfaceDescriptionBlock(le: boolean, o: InterfaceOptions): Buffer {
  const fixed = Buffer.alloc(8);
  if (le) {
    fixed.writeUInt16LE(o.linktype, 0);
    fixed.writeUInt32LE(o.snaplen ?? 262144, 4);
  } else {
    fixed.writeUInt16BE(o.linktype, 0);
    fixed.writeUInt32BE(o.snaplen ?? 262144, 4);
  }
  const opts: [number, Buffer][] = [[2, Buffer.from('eth0')]]; // if_name, to exercise option skipping
  if (o.tsresol !== undefined) opts.push([9, Buffer.from([o.tsresol])]);
  if (o.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (le) v.writeBigInt64LE(o.tsoffset);
    else v.writeBigInt64BE(o.tsoffset);
    opts.push([14, v]);
  }
  return pcapngBlock(le, 1, Buffer.concat([fixed, options(le, opts)]));
}

/** Enhanced packet block; `ts` is in the interface's time units. */
export function enhancedPacketBlock(le: boolean, interfaceId: number, ts: bigint, frame: Buffer, originalLength = frame.length): Buffer {
  const fixed = Buffer.alloc(20);
  const w = (v: number, off: number) => (le ? fixed.writeUInt32LE(v >>> 0, off) : fixed.writeUInt32BE(v >>> 0, off));
  w(interfaceId, 0);
  w(Number(ts >> 32n), 4);
  w(Number(ts & 0xffffffffn), 8);
  w(frame.length, 12);
  w(originalLength, 16);
  const comment = options(le, [[1, Buffer.from('a comment')]]);
  return pcapngBlock(le, 6, Buffer.concat([fixed, pad4(frame), comment]));
}

export function simplePacketBlock(le: boolean, frame: Buffer): Buffer {
  const fixed = Buffer.alloc(4);
  if (le) fixed.writeUInt32LE(frame.length);
  else fixed.writeUInt32BE(frame.length);
  return pcapngBlock(le, 3, Buffer.concat([fixed, frame]));
}

export function obsoletePacketBlock(le: boolean, interfaceId: number, ts: bigint, frame: Buffer): Buffer {
  const fixed = Buffer.alloc(20);
  if (le) fixed.writeUInt16LE(interfaceId, 0);
  else fixed.writeUInt16BE(interfaceId, 0);
  const w = (v: number, off: number) => (le ? fixed.writeUInt32LE(v >>> 0, off) : fixed.writeUInt32BE(v >>> 0, off));
  w(Number(ts >> 32n), 4);
  w(Number(ts & 0xffffffffn), 8);
  w(frame.length, 12);
  w(frame.length, 16);
  return pcapngBlock(le, 2, Buffer.concat([fixed, frame]));
}

export interface PcapngPacket {
  interfaceId?: number;
  /** Timestamp in the interface's units. */
  ts: bigint;
  frame: Buffer;
}

/** One section: SHB, the interfaces, a name resolution block (to be skipped), then EPBs. */
export function buildPcapng(o: { littleEndian?: boolean; interfaces: InterfaceOptions[]; packets: PcapngPacket[] }): Buffer {
  const le = o.littleEndian ?? true;
  const nrb = pcapngBlock(le, 4, Buffer.alloc(4)); // nrb_record_end only
  return Buffer.concat([
    sectionHeaderBlock(le),
    ...o.interfaces.map((i) => interfaceDescriptionBlock(le, i)),
    nrb,
    ...o.packets.map((p) => enhancedPacketBlock(le, p.interfaceId ?? 0, p.ts, p.frame)),
  ]);
}
