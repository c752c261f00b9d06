import type { IpFamily, TunnelInfo } from './decoded-packet';

export type CandidateTransport = 'udp' | 'tcp' | 'sctp';

/** A transport payload that may be a SIP message, ready to be parsed and kept (the payload is a copy). */
export interface SipCandidate {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  family: IpFamily;
  transport: CandidateTransport;
  payload: Buffer;
  /** Capture time of the frame that completed the message. */
  tsMicros: bigint;
  vlans?: number[];
  tunnel?: TunnelInfo;
}
