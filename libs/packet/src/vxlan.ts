import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeEthernet } from './ethernet';

/** IANA port of VXLAN (RFC 7348). */
export const VXLAN_PORT = 4789;
export const VXLAN_HEADER_SIZE = 8;
/** The I flag: the VNI field is valid. */
const VNI_VALID = 0x08;

/**
 * A VXLAN header has the I flag set and its last (reserved) byte zero; anything else to port 4789 is
 * treated as plain UDP, so that a non-VXLAN application on that port is not misread.
 */
export function looksLikeVxlan(buf: Buffer, off: number, end: number): boolean {
  return off + VXLAN_HEADER_SIZE <= end && (buf[off] & VNI_VALID) !== 0 && buf[off + 7] === 0;
}

/** VXLAN header: flags (1), reserved (3), VNI (3), reserved (1); an Ethernet frame follows. */
export function decodeVxlan(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + VXLAN_HEADER_SIZE > end) return fail('truncated', 'VXLAN header truncated');
  const vni = (buf[off + 4] << 16) | (buf[off + 5] << 8) | buf[off + 6];
  const tooDeep = st.enterTunnel('vxlan', vni);
  return tooDeep ?? decodeEthernet(st, buf, off + VXLAN_HEADER_SIZE, end);
}
