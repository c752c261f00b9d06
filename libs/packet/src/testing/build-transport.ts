import { addressBytes } from './address-bytes';
import { ipPacket } from './build-ip';
import { internetChecksum } from './checksum';

/** The pseudo header of the UDP/TCP checksum for IPv4 (RFC 768) or IPv6 (RFC 8200 8.1). */
function pseudoHeader(src: string, dst: string, protocol: number, length: number): Buffer {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  if (s.family === 2) {
    const p = Buffer.alloc(12);
    s.bytes.copy(p, 0);
    d.bytes.copy(p, 4);
    p[9] = protocol;
    p.writeUInt16BE(length, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  s.bytes.copy(p, 0);
  d.bytes.copy(p, 16);
  p.writeUInt32BE(length, 32);
  p[39] = protocol;
  return p;
}

export interface UdpOptions {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

/** A UDP datagram (header + payload) with a correct checksum for the given addresses. */
export function udpDatagram(o: UdpOptions): Buffer {
  const d = Buffer.alloc(8 + o.payload.length);
  d.writeUInt16BE(o.srcPort, 0);
  d.writeUInt16BE(o.dstPort, 2);
  d.writeUInt16BE(d.length, 4);
  o.payload.copy(d, 8);
  const sum = internetChecksum(pseudoHeader(o.src, o.dst, 17, d.length), d);
  d.writeUInt16BE(sum === 0 ? 0xffff : sum, 6);
  return d;
}

export interface TcpOptions {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  /** TcpFlag bits; ACK|PSH when absent. */
  flags?: number;
  payload?: Buffer;
  /** TCP options, padded to 4 bytes. */
  options?: Buffer;
}

/** A TCP segment (header + data) with a correct checksum. */
export function tcpSegment(o: TcpOptions): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const options = o.options ?? Buffer.alloc(0);
  const optionSize = Math.ceil(options.length / 4) * 4;
  const headerSize = 20 + optionSize;
  const s = Buffer.alloc(headerSize + payload.length);
  s.writeUInt16BE(o.srcPort, 0);
  s.writeUInt16BE(o.dstPort, 2);
  s.writeUInt32BE(o.seq >>> 0, 4);
  s.writeUInt32BE((o.ack ?? 0) >>> 0, 8);
  s[12] = (headerSize / 4) << 4;
  s[13] = o.flags ?? 0x18;
  s.writeUInt16BE(65535, 14);
  options.copy(s, 20);
  payload.copy(s, headerSize);
  s.writeUInt16BE(internetChecksum(pseudoHeader(o.src, o.dst, 6, s.length), s), 16);
  return s;
}

/** IP + UDP, family chosen by the address text. */
export function udpPacket(o: UdpOptions): Buffer {
  return ipPacket({ src: o.src, dst: o.dst, protocol: 17, payload: udpDatagram(o) });
}

/** IP + TCP, family chosen by the address text. */
export function tcpPacket(o: TcpOptions): Buffer {
  return ipPacket({ src: o.src, dst: o.dst, protocol: 6, payload: tcpSegment(o) });
}

/** An SCTP packet body (common header + one unfragmented DATA chunk per message); checksum left 0. */
export function sctpPacketBody(srcPort: number, dstPort: number, messages: Buffer[]): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(srcPort, 0);
  header.writeUInt16BE(dstPort, 2);
  header.writeUInt32BE(0xdeadbeef, 4);
  const chunks = messages.map((m, i) => {
    const length = 16 + m.length;
    const c = Buffer.alloc((length + 3) & ~3);
    c[0] = 0; // DATA
    c[1] = 0x03; // B | E
    c.writeUInt16BE(length, 2);
    c.writeUInt32BE(i + 1, 4); // TSN
    m.copy(c, 16);
    return c;
  });
  return Buffer.concat([header, ...chunks]);
}
