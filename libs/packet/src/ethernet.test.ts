import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const udp = (src = '192.0.2.10', dst = '198.51.100.20') => t.udpPacket({ src, dst, srcPort: 5060, dstPort: 5080, payload: sip });

describe('Ethernet', () => {
  it('decodes IPv4/UDP in an untagged frame', () => {
    const p = t.mustDecode(LinkType.ETHERNET, t.ethernetFrame({ payload: udp() }));
    expect(p).toMatchObject({ family: 2, srcIp: '192.0.2.10', dstIp: '198.51.100.20', ipProto: 17, srcPort: 5060, dstPort: 5080 });
    expect(p.vlans).toBeUndefined();
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('reports the id of an 802.1Q tag', () => {
    const p = t.mustDecode(LinkType.ETHERNET, t.ethernetFrame({ payload: udp(), vlans: [{ id: 101, priority: 5 }] }));
    expect(p.vlans).toEqual([101]);
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('reports QinQ tags outer first, for 0x88a8 and 0x9100 outer TPIDs', () => {
    for (const tpid of [0x88a8, 0x9100]) {
      const p = t.mustDecode(LinkType.ETHERNET, t.ethernetFrame({ payload: udp(), vlans: [{ id: 300, tpid }, { id: 42 }] }));
      expect(p.vlans).toEqual([300, 42]);
      expect(p.srcPort).toBe(5060);
    }
  });

  it('decodes IPv6 by EtherType 0x86dd', () => {
    const p = t.mustDecode(LinkType.ETHERNET, t.ethernetFrame({ payload: udp('2001:db8::1', '2001:db8::2') }));
    expect(p).toMatchObject({ family: 10, srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 5060 });
  });

  it('excludes the minimum-size padding from the payload', () => {
    const small = Buffer.from('\r\n');
    const frame = t.ethernetFrame({
      payload: t.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 1, dstPort: 2, payload: small }),
      pad: true,
    });
    expect(frame.length).toBe(60);
    expect(t.mustDecode(LinkType.ETHERNET, frame).payload.equals(small)).toBe(true);
  });

  it('rejects ARP and 802.3 length frames as unsupported-ethertype', () => {
    const arp = t.ethernetFrame({ payload: Buffer.alloc(28), etherType: 0x0806 });
    expect(decodeFrame(LinkType.ETHERNET, arp)).toMatchObject({ ok: false, reason: 'unsupported-ethertype' });
    const llc = t.ethernetFrame({ payload: Buffer.alloc(38), etherType: 38 });
    expect(decodeFrame(LinkType.ETHERNET, llc)).toMatchObject({ ok: false, reason: 'unsupported-ethertype' });
  });

  it('reports a cut VLAN tag as truncated', () => {
    const frame = t.ethernetFrame({ payload: udp(), vlans: [5] });
    expect(decodeFrame(LinkType.ETHERNET, frame.subarray(0, 16))).toMatchObject({ ok: false, reason: 'truncated' });
  });
});

describe('decodeFrame', () => {
  it('names an unknown link type', () => {
    expect(decodeFrame(147, Buffer.alloc(100))).toMatchObject({ ok: false, reason: 'unsupported-linktype' });
  });
});
