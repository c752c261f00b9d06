import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { EtherType } from './ethertype';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeMpls } from './mpls';

/** Bytes of one 802.1Q / 802.1ad tag after the TPID: TCI (2) and the next EtherType (2). */
const TAG_SIZE = 4;

/**
 * Follows the EtherType of an Ethernet or Linux cooked header: VLAN tags (any number, QinQ included,
 * ids recorded), then MPLS, IPv4 or IPv6. `off` is where the bytes after the EtherType start.
 */
export function decodeEthertype(st: DecodeState, type: number, buf: Buffer, off: number, end: number): FrameResult {
  while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
    if (off + TAG_SIZE > end) return fail('truncated', 'VLAN tag truncated');
    st.addVlan(buf.readUInt16BE(off) & 0x0fff);
    type = buf.readUInt16BE(off + 2);
    off += TAG_SIZE;
  }
  switch (type) {
    case EtherType.IPV4:
      return decodeIpv4(st, buf, off, end);
    case EtherType.IPV6:
      return decodeIpv6(st, buf, off, end);
    case EtherType.MPLS_UNICAST:
    case EtherType.MPLS_MULTICAST:
      return decodeMpls(st, buf, off, end);
    default:
      return fail('unsupported-ethertype', `EtherType 0x${type.toString(16).padStart(4, '0')}`);
  }
}
