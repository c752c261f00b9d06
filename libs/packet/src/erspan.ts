import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeEthernet } from './ethernet';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';

export const ERSPAN_II_HEADER_SIZE = 8;
export const ERSPAN_III_HEADER_SIZE = 12;
const ERSPAN_III_SUBHEADER_SIZE = 8;

/** Encapsulation type (En) values whose VLAN field holds the mirrored frame's VLAN (ISL, 802.1Q stripped). */
const EN_ISL = 1;
const EN_DOT1Q = 2;

/**
 * ERSPAN type II (Cisco, GRE protocol 0x88BE): version 1 (4 bits), VLAN (12), COS (3), En (2), T (1),
 * session id (10), reserved (12), index (20). The mirrored Ethernet frame follows.
 */
export function decodeErspanII(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + ERSPAN_II_HEADER_SIZE > end) return fail('truncated', 'ERSPAN II header truncated');
  const word = buf.readUInt16BE(off);
  if (word >> 12 !== 1) return fail('bad-header', `ERSPAN version ${word >> 12} in a type II header`);
  const second = buf.readUInt16BE(off + 2);
  const tooDeep = st.enterTunnel('erspan', second & 0x03ff);
  if (tooDeep) return tooDeep;
  const encapsulation = (second >> 11) & 0x03;
  const vlan = word & 0x0fff;
  if (vlan !== 0 && (encapsulation === EN_ISL || encapsulation === EN_DOT1Q)) st.addVlan(vlan);
  return decodeEthernet(st, buf, off + ERSPAN_II_HEADER_SIZE, end);
}

/**
 * ERSPAN type III (GRE protocol 0x22EB): version 2, VLAN, COS, BSO, T, session id (as type II), a 32-bit
 * timestamp, then SGT (16), P (1), frame type (5), hardware id (6), D (1), granularity (2), O (1).
 * O announces an 8-byte platform-specific subheader. Frame type 0 is Ethernet, 2 an IP packet.
 */
export function decodeErspanIII(st: DecodeState, buf: Buffer, off: number, end: number): FrameResult {
  if (off + ERSPAN_III_HEADER_SIZE > end) return fail('truncated', 'ERSPAN III header truncated');
  const word = buf.readUInt16BE(off);
  if (word >> 12 !== 2) return fail('bad-header', `ERSPAN version ${word >> 12} in a type III header`);
  const tooDeep = st.enterTunnel('erspan', buf.readUInt16BE(off + 2) & 0x03ff);
  if (tooDeep) return tooDeep;
  const flags = buf.readUInt16BE(off + 10);
  const frameType = (flags >> 10) & 0x1f;
  let inner = off + ERSPAN_III_HEADER_SIZE;
  if ((flags & 0x0001) !== 0) inner += ERSPAN_III_SUBHEADER_SIZE;
  if (inner > end) return fail('truncated', 'ERSPAN III subheader truncated');
  if (frameType === 0) return decodeEthernet(st, buf, inner, end);
  if (frameType === 2) {
    if (inner >= end) return fail('truncated', 'ERSPAN III payload missing');
    const version = buf[inner] >> 4;
    if (version === 4) return decodeIpv4(st, buf, inner, end);
    if (version === 6) return decodeIpv6(st, buf, inner, end);
    return fail('bad-header', `ERSPAN III IP frame with version ${version}`);
  }
  return fail('unsupported-protocol', `ERSPAN III frame type ${frameType}`);
}
