/** One SIP message as a capture agent received it, before parsing: from HEP or from a raw packet. */
export interface CapturedMessage {
  payload: Buffer;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** 2 IPv4, 10 IPv6 */
  family: number;
  /** Kamailio's numbering: 1 UDP, 2 TCP, 3 TLS, 4 SCTP, 5 WS, 6 WSS */
  proto: number;
  /** Capture time in microseconds since the epoch. */
  microTs: bigint;
  /** HEP correlation id chunk, when present. */
  correlationId?: string;
  /** HEP capture agent id, 0 when absent. */
  captureId?: number;
}

/** IP protocol number (as in HEP and IP headers) to Kamailio's `proto` column. */
export function protoFromIpProto(ipProto: number): number {
  switch (ipProto) {
    case 6:
      return 2;
    case 132:
      return 4;
    default:
      return 1;
  }
}

/** The agent's clock in microseconds since the epoch, for packets that carry no time. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
