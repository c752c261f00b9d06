import { ethernetFrame, type VlanTag } from './build-link';
import { tcpPacket, udpPacket } from './build-transport';

export interface UdpFrameOptions {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
  vlans?: (number | VlanTag)[];
}

export interface TcpFrameOptions {
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  flags?: number;
  payload?: Buffer;
  vlans?: (number | VlanTag)[];
}

function udp(o: UdpFrameOptions): Buffer {
  return udpPacket({ src: o.srcIp, dst: o.dstIp, srcPort: o.srcPort, dstPort: o.dstPort, payload: o.payload });
}

function tcp(o: TcpFrameOptions): Buffer {
  return tcpPacket({
    src: o.srcIp,
    dst: o.dstIp,
    srcPort: o.srcPort,
    dstPort: o.dstPort,
    seq: o.seq,
    ack: o.ack,
    flags: o.flags,
    payload: o.payload,
  });
}

/** Ethernet (+ VLAN tags) / IPv4 / UDP with correct checksums. */
export function buildEthernetIpv4Udp(o: UdpFrameOptions): Buffer {
  return ethernetFrame({ payload: udp(o), vlans: o.vlans, pad: true });
}

/** Ethernet (+ VLAN tags) / IPv6 / UDP with correct checksums. */
export function buildEthernetIpv6Udp(o: UdpFrameOptions): Buffer {
  return ethernetFrame({ payload: udp(o), vlans: o.vlans, pad: true });
}

/** Ethernet / IPv4 or IPv6 (by address) / TCP with correct checksums. */
export function buildEthernetTcp(o: TcpFrameOptions): Buffer {
  return ethernetFrame({ payload: tcp(o), vlans: o.vlans, pad: true });
}

/** Raw IP (linktype 101) / UDP, family by address. */
export function buildRawIpUdp(o: UdpFrameOptions): Buffer {
  return udp(o);
}

/** Raw IP (linktype 101) / TCP, family by address. */
export function buildRawIpTcp(o: TcpFrameOptions): Buffer {
  return tcp(o);
}
