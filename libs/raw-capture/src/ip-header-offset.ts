import { EtherType, LinkType } from '@sipcap/packet';

/**
 * Where the first IP header of a frame starts, or -1 when the frame carries none that this cheap look
 * can find (ARP, MPLS, ...). Only the link layer is walked: Ethernet with 802.1Q / QinQ tags, Linux
 * cooked capture v1 and v2, raw IP, BSD loopback. The main thread uses it to route and filter frames
 * without decoding them; the full decoder runs later.
 */
export function ipHeaderOffset(linktype: number, frame: Buffer): number {
  let off: number;
  let etherType: number;
  switch (linktype) {
    case LinkType.ETHERNET: {
      off = 12;
      if (frame.length < 14) return -1;
      etherType = frame.readUInt16BE(off);
      while (etherType === EtherType.VLAN || etherType === EtherType.QINQ || etherType === EtherType.QINQ_OLD) {
        off += 4;
        if (off + 2 > frame.length) return -1;
        etherType = frame.readUInt16BE(off);
      }
      off += 2;
      break;
    }
    case LinkType.LINUX_SLL:
      if (frame.length < 16) return -1;
      etherType = frame.readUInt16BE(14);
      off = 16;
      break;
    case LinkType.LINUX_SLL2:
      if (frame.length < 20) return -1;
      etherType = frame.readUInt16BE(0);
      off = 20;
      break;
    case LinkType.RAW:
    case LinkType.RAW_12:
    case LinkType.RAW_14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return versionAt(frame, 0);
    case LinkType.NULL:
    case LinkType.LOOP:
      return versionAt(frame, 4);
    default:
      return -1;
  }
  if (etherType !== EtherType.IPV4 && etherType !== EtherType.IPV6) return -1;
  return versionAt(frame, off);
}

/** `off` when an IPv4 or IPv6 header of minimal size starts there, else -1. */
function versionAt(frame: Buffer, off: number): number {
  if (off >= frame.length) return -1;
  const version = frame[off] >> 4;
  if (version === 4) return off + 20 <= frame.length ? off : -1;
  if (version === 6) return off + 40 <= frame.length ? off : -1;
  return -1;
}
