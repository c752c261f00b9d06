import type { DecodeFailure } from './decode-failure';

export type IpFamily = 2 | 10;

export type TunnelKind = 'ipip' | 'gre' | 'vxlan' | 'erspan';

/**
 * One encapsulation the decoder went through: the addresses of the IP header that carried it.
 * `inner` is the next encapsulation inside this one, when tunnels nest.
 */
export interface TunnelInfo {
  kind: TunnelKind;
  family: IpFamily;
  srcIp: string;
  dstIp: string;
  /** GRE key, VXLAN network identifier or ERSPAN session id, when the header carries one. */
  id?: number;
  inner?: TunnelInfo;
}

/** TCP header bits in `TcpInfo.flags`. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

export interface TcpInfo {
  seq: number;
  ack: number;
  flags: number;
}

/**
 * A piece of a fragmented IP datagram, with everything needed to resume decoding once the datagram is
 * whole (see FragmentReassembler and decodeReassembled). `data` is a view into the frame: copy to keep.
 */
export interface IpFragment {
  family: IpFamily;
  srcIp: string;
  dstIp: string;
  /** IPv4 identification (16 bits) or IPv6 fragment identification (32 bits). */
  id: number;
  /** Protocol of the datagram's payload (IPv6: the next header after the fragment header). */
  ipProto: number;
  /** Byte offset of `data` in the datagram's payload. */
  offset: number;
  /** More fragments follow (MF flag). */
  more: boolean;
  data: Buffer;
  vlans?: number[];
  tunnel?: TunnelInfo;
  /** Encapsulations already passed through, so the nesting bound holds across reassembly. */
  depth: number;
}

/**
 * The innermost IP packet of a frame and its transport header. For a fragment, `fragment` is set, the
 * ports are 0 and `payload` is empty: the transport header is decoded after reassembly.
 */
export interface DecodedPacket {
  family: IpFamily;
  srcIp: string;
  dstIp: string;
  /** 17 UDP, 6 TCP, 132 SCTP (payload = the chunks after the common header). */
  ipProto: number;
  srcPort: number;
  dstPort: number;
  /**
   * Transport payload: a view into the frame (no copy), made when read, so that packets dropped by a
   * filter never pay for it. Read it once and keep the view rather than reading it repeatedly.
   */
  readonly payload: Buffer;
  /** A copy of the payload made straight from the frame, to keep beyond the frame buffer's life. */
  copyPayload(): Buffer;
  /** VLAN ids in the order the tags appear (outer first, then tags inside tunnels). */
  vlans?: number[];
  /** The outermost encapsulation, when the packet came through a tunnel. */
  tunnel?: TunnelInfo;
  tcp?: TcpInfo;
  fragment?: IpFragment;
}

export type FrameResult = { ok: true; packet: DecodedPacket } | DecodeFailure;
