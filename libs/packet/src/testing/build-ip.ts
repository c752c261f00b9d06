import { addressBytes } from './address-bytes';
import { internetChecksum } from './checksum';

export interface Ipv4Options {
  src: string;
  dst: string;
  protocol: number;
  payload: Buffer;
  id?: number;
  ttl?: number;
  /** IPv4 options, padded to a multiple of 4 bytes by the builder. */
  options?: Buffer;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Overrides the total length field (to build inconsistent packets). */
  totalLength?: number;
}

/** An IPv4 packet with a correct header checksum. */
export function ipv4Packet(o: Ipv4Options): Buffer {
  const options = o.options ?? Buffer.alloc(0);
  const padded = Buffer.concat([options, Buffer.alloc((4 - (options.length % 4)) % 4)]);
  const headerSize = 20 + padded.length;
  const header = Buffer.alloc(headerSize);
  header[0] = 0x40 | (headerSize / 4);
  header.writeUInt16BE(o.totalLength ?? headerSize + o.payload.length, 2);
  header.writeUInt16BE(o.id ?? 0x1234, 4);
  const fragmentOffset = o.fragmentOffset ?? 0;
  if (fragmentOffset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
  header.writeUInt16BE((o.dontFragment ? 0x4000 : 0) | (o.moreFragments ? 0x2000 : 0) | (fragmentOffset / 8), 6);
  header[8] = o.ttl ?? 64;
  header[9] = o.protocol;
  addressBytes(o.src).bytes.copy(header, 12);
  addressBytes(o.dst).bytes.copy(header, 16);
  padded.copy(header, 20);
  header.writeUInt16BE(internetChecksum(header), 10);
  return Buffer.concat([header, o.payload]);
}

export interface Ipv6Options {
  src: string;
  dst: string;
  /** Protocol of `payload`, or the type of the first extension header in `extensions`. */
  nextHeader: number;
  /** Extension headers already chained (see ipv6Extension, ipv6FragmentHeader), placed before `payload`. */
  extensions?: Buffer;
  payload: Buffer;
  hopLimit?: number;
  /** Overrides the payload length field. */
  payloadLength?: number;
}

export function ipv6Packet(o: Ipv6Options): Buffer {
  const body = o.extensions ? Buffer.concat([o.extensions, o.payload]) : o.payload;
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x60000000, 0);
  header.writeUInt16BE(o.payloadLength ?? body.length, 4);
  header[6] = o.nextHeader;
  header[7] = o.hopLimit ?? 64;
  addressBytes(o.src).bytes.copy(header, 8);
  addressBytes(o.dst).bytes.copy(header, 24);
  return Buffer.concat([header, body]);
}

/**
 * A hop-by-hop, routing or destination-options style extension header: next header, length in 8-byte
 * units beyond the first, and `size - 2` bytes of PadN-filled body. `size` is a multiple of 8.
 */
export function ipv6Extension(next: number, size = 8): Buffer {
  if (size % 8 !== 0 || size < 8) throw new Error('extension size must be a multiple of 8');
  const h = Buffer.alloc(size);
  h[0] = next;
  h[1] = size / 8 - 1;
  h[2] = 1; // PadN option covering the rest
  h[3] = size - 4;
  return h;
}

/** An authentication header (RFC 4302) with `icvSize` bytes of ICV. */
export function ipv6AuthHeader(next: number, icvSize = 12): Buffer {
  const size = 12 + icvSize;
  const h = Buffer.alloc(size);
  h[0] = next;
  h[1] = size / 4 - 2;
  h.writeUInt32BE(0x100, 4); // SPI
  h.writeUInt32BE(1, 8); // sequence
  return h;
}

export function ipv6FragmentHeader(next: number, offset: number, more: boolean, id: number): Buffer {
  if (offset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
  const h = Buffer.alloc(8);
  h[0] = next;
  h.writeUInt16BE(offset | (more ? 1 : 0), 2);
  h.writeUInt32BE(id >>> 0, 4);
  return h;
}

/** An IPv4 or IPv6 packet, chosen by the address text. */
export function ipPacket(o: { src: string; dst: string; protocol: number; payload: Buffer }): Buffer {
  return addressBytes(o.src).family === 2
    ? ipv4Packet(o)
    : ipv6Packet({ src: o.src, dst: o.dst, nextHeader: o.protocol, payload: o.payload });
}
