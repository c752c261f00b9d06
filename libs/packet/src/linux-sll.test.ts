import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const v4 = t.udpPacket({ src: '10.1.1.1', dst: '10.1.1.2', srcPort: 5060, dstPort: 5060, payload: sip });
const v6 = t.udpPacket({ src: 'fe80::1', dst: 'ff02::1', srcPort: 5060, dstPort: 5060, payload: sip });

describe('Linux cooked capture', () => {
  it('v1 (113) carries IPv4 and IPv6 by protocol field', () => {
    expect(t.mustDecode(LinkType.LINUX_SLL, t.sllFrame(v4))).toMatchObject({ srcIp: '10.1.1.1', family: 2 });
    expect(t.mustDecode(LinkType.LINUX_SLL, t.sllFrame(v6))).toMatchObject({ srcIp: 'fe80::1', dstIp: 'ff02::1', family: 10 });
  });

  it('v2 (276) carries IPv4 and IPv6 by protocol field', () => {
    const p = t.mustDecode(LinkType.LINUX_SLL2, t.sll2Frame(v4));
    expect(p).toMatchObject({ srcIp: '10.1.1.1', dstIp: '10.1.1.2', srcPort: 5060 });
    expect(p.payload.equals(sip)).toBe(true);
    expect(t.mustDecode(LinkType.LINUX_SLL2, t.sll2Frame(v6)).family).toBe(10);
  });

  it('follows a VLAN tag kept in the cooked frame', () => {
    const tagged = Buffer.concat([Buffer.from([0x00, 0x0a, 0x08, 0x00]), v4]);
    expect(t.mustDecode(LinkType.LINUX_SLL, t.sllFrame(tagged, 0x8100)).vlans).toEqual([10]);
  });

  it('reports short headers as truncated', () => {
    expect(decodeFrame(LinkType.LINUX_SLL, Buffer.alloc(15))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeFrame(LinkType.LINUX_SLL2, Buffer.alloc(19))).toMatchObject({ ok: false, reason: 'truncated' });
  });
});
