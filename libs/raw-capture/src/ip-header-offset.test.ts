import { describe, expect, it } from 'vitest';
import { LinkType, testing } from '@sipcap/packet';
import { ipHeaderOffset } from './ip-header-offset';

const v4 = testing.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: Buffer.from('x') });
const v6 = testing.udpPacket({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5060, dstPort: 5060, payload: Buffer.from('x') });

describe('ipHeaderOffset', () => {
  it('skips an Ethernet header and any number of VLAN tags', () => {
    expect(ipHeaderOffset(LinkType.ETHERNET, testing.ethernetFrame({ payload: v4 }))).toBe(14);
    expect(ipHeaderOffset(LinkType.ETHERNET, testing.ethernetFrame({ payload: v4, vlans: [100] }))).toBe(18);
    expect(ipHeaderOffset(LinkType.ETHERNET, testing.ethernetFrame({ payload: v6, vlans: [{ id: 10, tpid: 0x88a8 }, 20] }))).toBe(22);
  });

  it('finds the IP header behind Linux cooked capture v1 and v2, raw IP and BSD loopback', () => {
    expect(ipHeaderOffset(LinkType.LINUX_SLL, testing.sllFrame(v4))).toBe(16);
    expect(ipHeaderOffset(LinkType.LINUX_SLL2, testing.sll2Frame(v6))).toBe(20);
    expect(ipHeaderOffset(LinkType.RAW, v4)).toBe(0);
    expect(ipHeaderOffset(LinkType.RAW_12, v6)).toBe(0);
    expect(ipHeaderOffset(LinkType.NULL, testing.nullFrame(v4, 2))).toBe(4);
  });

  it('returns -1 for frames without an IP header it can see', () => {
    expect(ipHeaderOffset(LinkType.ETHERNET, testing.ethernetFrame({ payload: Buffer.alloc(28), etherType: 0x0806 }))).toBe(-1);
    expect(ipHeaderOffset(LinkType.ETHERNET, Buffer.alloc(10))).toBe(-1);
    expect(ipHeaderOffset(LinkType.ETHERNET, testing.ethernetFrame({ payload: v4 }).subarray(0, 20))).toBe(-1);
    expect(ipHeaderOffset(LinkType.RAW, Buffer.from([0x50, 0, 0, 0]))).toBe(-1);
    expect(ipHeaderOffset(9999, v4)).toBe(-1);
  });
});
