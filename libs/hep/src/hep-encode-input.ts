/** What the encoders need to write one HEP packet. */
export interface HepEncodeInput {
  /** 2 or 10; defaults to the family of `srcIp`, and must agree with both addresses. */
  family?: number;
  /** IP protocol number; default 17 (UDP). */
  ipProto?: number;
  /** Address text, IPv4 dotted quad or IPv6. */
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** Capture time. HEP3 writes chunks 9 and 10 only when one of them is given; HEP v1 has no time. */
  tsSec?: number;
  tsUsec?: number;
  /** HEP3 payload type, default 1 (SIP). */
  payloadType?: number;
  /** Capture agent id: HEP3 chunk 12 (u32, written only when given), HEP v2 u16 field. */
  captureId?: number;
  /** HEP3-only fields, each written only when given. */
  authKey?: string;
  correlationId?: string;
  vlan?: number;
  nodeName?: string;
  keepAlive?: number;
  payload: Uint8Array;
  /** HEP3: write the payload zlib-deflated in chunk 16 instead of chunk 15. */
  compress?: boolean;
}

export function checkUint(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer from 0 to ${max}, got ${value}`);
  }
  return value;
}
