import { fail } from './decode-failure';
import type { FrameResult } from './decoded-packet';
import type { DecodeState } from './decode-state';
import { decodeGre } from './gre';
import { decodeIpv4 } from './ipv4';
import { decodeIpv6 } from './ipv6';
import { decodeSctp } from './sctp';
import { decodeTcp } from './tcp';
import { decodeUdp } from './udp';

export const IpProto = {
  IPV4_IN_IP: 4,
  TCP: 6,
  UDP: 17,
  IPV6_IN_IP: 41,
  GRE: 47,
  SCTP: 132,
} as const;

/** The upper-layer protocol of an IP packet: a transport, or a tunnel whose inner packet is decoded in turn. */
export function decodeIpPayload(st: DecodeState, protocol: number, buf: Buffer, off: number, end: number): FrameResult {
  switch (protocol) {
    case IpProto.UDP:
      return decodeUdp(st, buf, off, end);
    case IpProto.TCP:
      return decodeTcp(st, buf, off, end);
    case IpProto.SCTP:
      return decodeSctp(st, buf, off, end);
    case IpProto.IPV4_IN_IP: {
      const tooDeep = st.enterTunnel('ipip');
      return tooDeep ?? decodeIpv4(st, buf, off, end);
    }
    case IpProto.IPV6_IN_IP: {
      const tooDeep = st.enterTunnel('ipip');
      return tooDeep ?? decodeIpv6(st, buf, off, end);
    }
    case IpProto.GRE:
      return decodeGre(st, buf, off, end);
    default:
      return fail('unsupported-protocol', `IP protocol ${protocol}`);
  }
}
