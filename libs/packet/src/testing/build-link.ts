import { macBytes } from './address-bytes';

export interface VlanTag {
  id: number;
  /** 0x8100 (802.1Q, the default), 0x88a8 (802.1ad) or 0x9100. */
  tpid?: number;
  priority?: number;
}

export interface EthernetOptions {
  payload: Buffer;
  /** EtherType of the payload; by default from the IP version nibble of `payload`. */
  etherType?: number;
  /** Tags outermost first; a plain number is an 802.1Q tag. */
  vlans?: (number | VlanTag)[];
  srcMac?: string;
  dstMac?: string;
  /** Pads the frame to the 60-byte Ethernet minimum, as a NIC does. */
  pad?: boolean;
}

function ipEtherType(payload: Buffer): number {
  return payload.length > 0 && payload[0] >> 4 === 6 ? 0x86dd : 0x0800;
}

export function ethernetFrame(o: EthernetOptions): Buffer {
  const tags = (o.vlans ?? []).map((t) => (typeof t === 'number' ? { id: t } : t));
  const header = Buffer.alloc(14 + tags.length * 4);
  macBytes(o.dstMac ?? '02:00:00:00:00:02').copy(header, 0);
  macBytes(o.srcMac ?? '02:00:00:00:00:01').copy(header, 6);
  let off = 12;
  for (const tag of tags) {
    header.writeUInt16BE(tag.tpid ?? 0x8100, off);
    header.writeUInt16BE(((tag.priority ?? 0) << 13) | (tag.id & 0x0fff), off + 2);
    off += 4;
  }
  header.writeUInt16BE(o.etherType ?? ipEtherType(o.payload), off);
  const frame = Buffer.concat([header, o.payload]);
  return o.pad && frame.length < 60 ? Buffer.concat([frame, Buffer.alloc(60 - frame.length)]) : frame;
}

/** Linux cooked capture v1 header (linktype 113) in front of `payload`. */
export function sllFrame(payload: Buffer, protocol = ipEtherType(payload)): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0); // sent to us
  h.writeUInt16BE(1, 2); // ARPHRD_ETHER
  h.writeUInt16BE(6, 4);
  macBytes('02:00:00:00:00:01').copy(h, 6);
  h.writeUInt16BE(protocol, 14);
  return Buffer.concat([h, payload]);
}

/** Linux cooked capture v2 header (linktype 276) in front of `payload`. */
export function sll2Frame(payload: Buffer, protocol = ipEtherType(payload), ifindex = 2): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(protocol, 0);
  h.writeUInt32BE(ifindex, 4);
  h.writeUInt16BE(1, 8); // ARPHRD_ETHER
  h[10] = 0; // PACKET_HOST
  h[11] = 6;
  macBytes('02:00:00:00:00:01').copy(h, 12);
  return Buffer.concat([h, payload]);
}

/** BSD loopback header (linktype 0): family in the given byte order (host order of the capturer). */
export function nullFrame(payload: Buffer, family: number, byteOrder: 'le' | 'be' = 'le'): Buffer {
  const h = Buffer.alloc(4);
  if (byteOrder === 'le') h.writeUInt32LE(family, 0);
  else h.writeUInt32BE(family, 0);
  return Buffer.concat([h, payload]);
}

/** OpenBSD loop header (linktype 108): family in network byte order. */
export function loopFrame(payload: Buffer, family: number): Buffer {
  return nullFrame(payload, family, 'be');
}
