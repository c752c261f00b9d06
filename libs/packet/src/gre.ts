import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeErspanII, decodeErspanIII } from './erspan';
import { decodeEthernet } from './ethernet';
import { EtherType } from './ethertype';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

const CHECKSUM_PRESENT = 0x80;
const ROUTING_PRESENT = 0x40;
const KEY_PRESENT = 0x20;
const SEQUENCE_PRESENT = 0x10;

/**
 * GRE (RFC 2784/2890, version 0): optional checksum, key and sequence number, then the payload named by
 * an EtherType: IPv4, IPv6, a bridged Ethernet frame (0x6558) or ERSPAN. Source routing (RFC 1701) and
 * version 1 (PPTP) are not followed.
 */
export function decodeGre(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + 4 > end) return fail('truncated', 'GRE header truncated');
  const flags = buf[off];
  const version = buf[off + 1] & 0x07;
  if (version !== 0) return fail('unsupported-protocol', `GRE version ${version}`);
  if ((flags & ROUTING_PRESENT) !== 0) return fail('unsupported-protocol', 'GRE source routing');
  const protocol = buf.readUInt16BE(off + 2);
  let headerSize = 4;
  if ((flags & CHECKSUM_PRESENT) !== 0) headerSize += 4; // checksum (2) and reserved (2)
  let key: number | undefined;
  if ((flags & KEY_PRESENT) !== 0) {
    if (off + headerSize + 4 > end) return fail('truncated', 'GRE key truncated');
    key = buf.readUInt32BE(off + headerSize);
    headerSize += 4;
  }
  const hasSequence = (flags & SEQUENCE_PRESENT) !== 0;
  if (hasSequence) headerSize += 4;
  if (off + headerSize > end) return fail('truncated', 'GRE header truncated');
  const inner = off + headerSize;

  switch (protocol) {
    case EtherType.IPV4:
      return st.enterTunnel('gre', key) ?? decodeIpv4(st, buf, inner, end);
    case EtherType.IPV6:
      return st.enterTunnel('gre', key) ?? decodeIpv6(st, buf, inner, end);
    case EtherType.TEB:
      return st.enterTunnel('gre', key) ?? decodeEthernet(st, buf, inner, end);
    case EtherType.ERSPAN_II:
      // ERSPAN type I has no sequence number and no ERSPAN header: the mirrored frame follows directly.
      if (!hasSequence) return st.enterTunnel('erspan') ?? decodeEthernet(st, buf, inner, end);
      return decodeErspanII(st, buf, inner, end);
    case EtherType.ERSPAN_III:
      return decodeErspanIII(st, buf, inner, end);
    default:
      return fail('unsupported-protocol', `GRE protocol 0x${protocol.toString(16).padStart(4, '0')}`);
  }
}
