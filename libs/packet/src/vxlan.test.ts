import { describe, expect, it } from 'vitest';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const innerFrame = t.buildEthernetIpv4Udp({
  srcIp: '10.0.0.1',
  dstIp: '10.0.0.2',
  srcPort: 5060,
  dstPort: 5060,
  payload: sip,
  vlans: [30],
});

describe('VXLAN', () => {
  it('decodes the inner Ethernet frame and reports the VNI and outer addresses', () => {
    const frame = t.ethernetFrame({
      payload: t.vxlanPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', vni: 0xabcdef, innerFrame }),
      vlans: [4],
    });
    const p = t.mustDecode(LinkType.ETHERNET, frame);
    expect(p).toMatchObject({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, vlans: [4, 30] });
    expect(p.tunnel).toEqual({ kind: 'vxlan', family: 2, srcIp: '192.0.2.1', dstIp: '192.0.2.2', id: 0xabcdef });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('leaves a datagram to port 4789 without the I flag, or with a non-zero reserved byte, as plain UDP', () => {
    const noFlag = Buffer.from([0x00, 0, 0, 0, 0, 0, 1, 0, 1, 2, 3, 4]);
    const reservedSet = Buffer.from('hello world!'); // 'h' has the I bit, but byte 7 ('o') is not 0
    for (const payload of [noFlag, reservedSet]) {
      const p = t.mustDecode(LinkType.RAW, t.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 4789, payload }));
      expect(p).toMatchObject({ dstPort: 4789, tunnel: undefined });
      expect(p.payload.equals(payload)).toBe(true);
    }
  });
});
