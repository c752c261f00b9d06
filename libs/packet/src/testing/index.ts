/** Frame, packet and capture-file builders for tests (exported from the library as `testing`). */
export { internetChecksum } from './checksum';
export { addressBytes, macBytes } from './address-bytes';
export { ipv4Packet, ipv6Packet, ipv6Extension, ipv6AuthHeader, ipv6FragmentHeader, ipPacket } from './build-ip';
export type { Ipv4Options, Ipv6Options } from './build-ip';
export { udpDatagram, tcpSegment, udpPacket, tcpPacket, sctpPacketBody } from './build-transport';
export type { UdpOptions, TcpOptions } from './build-transport';
export { ethernetFrame, sllFrame, sll2Frame, nullFrame, loopFrame } from './build-link';
export type { EthernetOptions, VlanTag } from './build-link';
export { ipipPacket, greBody, grePacket, vxlanPacket, erspanIIPacket, erspanIIIPacket, isIpv6 } from './build-tunnel';
export type { GreOptions, ErspanIIOptions, ErspanIIIOptions } from './build-tunnel';
export { fragmentIpv4, fragmentIpv6 } from './fragment';
export { buildEthernetIpv4Udp, buildEthernetIpv6Udp, buildEthernetTcp, buildRawIpUdp, buildRawIpTcp } from './frames';
export type { UdpFrameOptions, TcpFrameOptions } from './frames';
export { sipRequest, sipReply, sdpBody } from './sip-samples';
export type { SipRequestOptions } from './sip-samples';
export {
  pcapngBlock,
  sectionHeaderBlock,
  interfaceDescriptionBlock,
  enhancedPacketBlock,
  simplePacketBlock,
  obsoletePacketBlock,
  buildPcapng,
} from './build-pcapng';
export type { InterfaceOptions, PcapngPacket } from './build-pcapng';
export { mustDecode } from './must-decode';
