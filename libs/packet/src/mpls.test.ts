import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const label = (value: number, bottom: boolean) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(((value << 12) | (bottom ? 0x100 : 0) | 64) >>> 0);
  return b;
};
const udp4 = t.udpPacket({ src: '192.0.2.10', dst: '198.51.100.20', srcPort: 5060, dstPort: 5080, payload: t.sipRequest() });
const udp6 = t.udpPacket({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5060, dstPort: 5080, payload: t.sipRequest() });
const mpls = (...parts: Buffer[]) => t.ethernetFrame({ payload: Buffer.concat(parts), etherType: 0x8847 });

describe('MPLS', () => {
  it('follows a label stack to IPv4 or IPv6 by the version nibble', () => {
    expect(t.mustDecode(LinkType.ETHERNET, mpls(label(16, false), label(17, true), udp4))).toMatchObject({
      srcIp: '192.0.2.10',
      dstPort: 5080,
    });
    expect(t.mustDecode(LinkType.ETHERNET, mpls(label(16, true), udp6))).toMatchObject({ family: 10, srcIp: '2001:db8::1' });
  });

  it('rejects a non-IP payload and an endless stack', () => {
    expect(decodeFrame(LinkType.ETHERNET, mpls(label(16, true), Buffer.alloc(20)))).toMatchObject({
      ok: false,
      reason: 'unsupported-protocol',
    });
    const deep = Array.from({ length: 9 }, (_, i) => label(i, false));
    expect(decodeFrame(LinkType.ETHERNET, mpls(...deep, udp4))).toMatchObject({ ok: false, reason: 'bad-header' });
  });
});
