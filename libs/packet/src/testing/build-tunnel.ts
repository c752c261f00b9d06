import { addressBytes } from './address-bytes';
import { ipPacket } from './build-ip';
import { udpPacket } from './build-transport';
import { internetChecksum } from './checksum';

interface Outer {
  outerSrc: string;
  outerDst: string;
}

/** IP-in-IP: protocol 4 for an IPv4 inner packet, 41 for IPv6; outer family from the address text. */
export function ipipPacket(o: Outer & { inner: Buffer }): Buffer {
  const protocol = o.inner[0] >> 4 === 6 ? 41 : 4;
  return ipPacket({ src: o.outerSrc, dst: o.outerDst, protocol, payload: o.inner });
}

export interface GreOptions {
  /** EtherType of the GRE payload. */
  protocol: number;
  payload: Buffer;
  key?: number;
  sequence?: number;
  checksum?: boolean;
}

/** A GRE header (RFC 2784/2890) and payload. */
export function greBody(o: GreOptions): Buffer {
  let flags = 0;
  const fields: Buffer[] = [];
  if (o.checksum) {
    flags |= 0x80;
    fields.push(Buffer.alloc(4));
  }
  if (o.key !== undefined) {
    flags |= 0x20;
    const k = Buffer.alloc(4);
    k.writeUInt32BE(o.key >>> 0);
    fields.push(k);
  }
  if (o.sequence !== undefined) {
    flags |= 0x10;
    const s = Buffer.alloc(4);
    s.writeUInt32BE(o.sequence >>> 0);
    fields.push(s);
  }
  const base = Buffer.alloc(4);
  base[0] = flags;
  base.writeUInt16BE(o.protocol, 2);
  const body = Buffer.concat([base, ...fields, o.payload]);
  if (o.checksum) body.writeUInt16BE(internetChecksum(body), 4);
  return body;
}

/** Outer IP (protocol 47) + GRE + payload. */
export function grePacket(o: Outer & GreOptions): Buffer {
  return ipPacket({ src: o.outerSrc, dst: o.outerDst, protocol: 47, payload: greBody(o) });
}

/** Outer IP + UDP to port 4789 + VXLAN header (I flag, VNI) + inner Ethernet frame. */
export function vxlanPacket(o: Outer & { vni: number; innerFrame: Buffer; srcPort?: number }): Buffer {
  const h = Buffer.alloc(8);
  h[0] = 0x08;
  h.writeUIntBE(o.vni & 0xffffff, 4, 3);
  return udpPacket({
    src: o.outerSrc,
    dst: o.outerDst,
    srcPort: o.srcPort ?? 49152,
    dstPort: 4789,
    payload: Buffer.concat([h, o.innerFrame]),
  });
}

export interface ErspanIIOptions {
  sessionId: number;
  innerFrame: Buffer;
  vlan?: number;
  /** En field: 0 untagged, 2 802.1Q tag stripped (VLAN in header), 3 tag kept in the frame. */
  encapsulation?: number;
  index?: number;
  sequence?: number;
}

/** Outer IP + GRE (0x88BE, sequence present) + ERSPAN type II header + mirrored frame. */
export function erspanIIPacket(o: Outer & ErspanIIOptions): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE((1 << 12) | ((o.vlan ?? 0) & 0x0fff), 0);
  h.writeUInt16BE((((o.encapsulation ?? 0) & 3) << 11) | (o.sessionId & 0x3ff), 2);
  h.writeUInt32BE((o.index ?? 0) & 0xfffff, 4);
  return grePacket({ ...o, protocol: 0x88be, sequence: o.sequence ?? 1, payload: Buffer.concat([h, o.innerFrame]) });
}

export interface ErspanIIIOptions {
  sessionId: number;
  /** The mirrored Ethernet frame (frameType 0) or IP packet (frameType 2). */
  inner: Buffer;
  frameType?: 0 | 2;
  vlan?: number;
  timestamp?: number;
  /** Adds the optional 8-byte platform-specific subheader (O flag). */
  subheader?: boolean;
}

/** Outer IP + GRE (0x22EB) + ERSPAN type III header (+ subheader) + mirrored frame. */
export function erspanIIIPacket(o: Outer & ErspanIIIOptions): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE((2 << 12) | ((o.vlan ?? 0) & 0x0fff), 0);
  h.writeUInt16BE(o.sessionId & 0x3ff, 2);
  h.writeUInt32BE((o.timestamp ?? 0) >>> 0, 4);
  h.writeUInt16BE(0x1234, 8); // SGT
  h.writeUInt16BE(((o.frameType ?? 0) << 10) | (0x2a << 4) | (o.subheader ? 1 : 0), 10);
  const parts: Buffer[] = [h];
  if (o.subheader) parts.push(Buffer.from([0x10, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd])); // platform id 4 style
  parts.push(o.inner);
  return grePacket({ ...o, protocol: 0x22eb, sequence: 7, payload: Buffer.concat(parts) });
}

/** True when `text` is an IPv6 address (handy in tests choosing linktypes). */
export function isIpv6(text: string): boolean {
  return addressBytes(text).family === 10;
}
