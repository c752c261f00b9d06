import { ipv4Packet, ipv6Packet, ipv6FragmentHeader } from './build-ip';

/**
 * Splits a whole IPv4 packet (without options) into fragments carrying at most `size` payload bytes
 * each (rounded down to 8), in order. The caller shuffles or duplicates them as the test needs.
 */
export function fragmentIpv4(packet: Buffer, size: number): Buffer[] {
  const headerSize = (packet[0] & 0x0f) * 4;
  const payload = packet.subarray(headerSize, packet.readUInt16BE(2));
  const step = Math.floor(size / 8) * 8;
  const src = ipText4(packet, 12);
  const dst = ipText4(packet, 16);
  const out: Buffer[] = [];
  for (let off = 0; off < payload.length; off += step) {
    const piece = payload.subarray(off, Math.min(off + step, payload.length));
    out.push(
      ipv4Packet({
        src,
        dst,
        protocol: packet[9],
        id: packet.readUInt16BE(4),
        ttl: packet[8],
        payload: piece,
        fragmentOffset: off,
        moreFragments: off + step < payload.length,
      }),
    );
  }
  return out;
}

/**
 * Splits an IPv6 payload (the upper-layer data of `nextHeader`) into fragments of `size` bytes (rounded
 * down to 8) with fragment headers of identification `id`.
 */
export function fragmentIpv6(o: { src: string; dst: string; nextHeader: number; payload: Buffer; id: number; size: number }): Buffer[] {
  const step = Math.floor(o.size / 8) * 8;
  const out: Buffer[] = [];
  for (let off = 0; off < o.payload.length; off += step) {
    const piece = o.payload.subarray(off, Math.min(off + step, o.payload.length));
    const more = off + step < o.payload.length;
    out.push(
      ipv6Packet({
        src: o.src,
        dst: o.dst,
        nextHeader: 44,
        extensions: ipv6FragmentHeader(o.nextHeader, off, more, o.id),
        payload: piece,
      }),
    );
  }
  return out;
}

function ipText4(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}
