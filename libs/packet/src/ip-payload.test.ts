import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const inner4 = t.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: sip });
const inner6 = t.udpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 5062, dstPort: 5060, payload: sip });

describe('IP-in-IP', () => {
  it('decodes IPv4 in IPv4 (protocol 4) and reports the outer addresses', () => {
    const p = t.mustDecode(
      LinkType.ETHERNET,
      t.ethernetFrame({ payload: t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.99', inner: inner4 }) }),
    );
    expect(p).toMatchObject({ family: 2, srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060 });
    expect(p.tunnel).toEqual({ kind: 'ipip', family: 2, srcIp: '192.0.2.1', dstIp: '192.0.2.99' });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('decodes IPv6 in IPv4 (protocol 41)', () => {
    const outer = t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.99', inner: inner6 });
    expect(outer[9]).toBe(41);
    const p = t.mustDecode(LinkType.RAW, outer);
    expect(p).toMatchObject({ family: 10, srcIp: 'fd00::1', srcPort: 5062, tunnel: { kind: 'ipip', family: 2, dstIp: '192.0.2.99' } });
  });

  it('decodes IPv4 and IPv6 inside IPv6', () => {
    const p4 = t.mustDecode(LinkType.RAW, t.ipipPacket({ outerSrc: '2001:db8::1', outerDst: '2001:db8::2', inner: inner4 }));
    expect(p4).toMatchObject({ family: 2, srcIp: '10.0.0.1', tunnel: { family: 10, srcIp: '2001:db8::1' } });
    const p6 = t.mustDecode(LinkType.RAW, t.ipipPacket({ outerSrc: '2001:db8::1', outerDst: '2001:db8::2', inner: inner6 }));
    expect(p6).toMatchObject({ family: 10, dstIp: 'fd00::2', tunnel: { family: 10, dstIp: '2001:db8::2' } });
  });

  it('strips outer IPv4 options', () => {
    const outer = t.ipv4Packet({
      src: '192.0.2.1',
      dst: '192.0.2.99',
      protocol: 4,
      payload: inner4,
      options: Buffer.from([0x94, 4, 0, 0]),
    });
    expect(t.mustDecode(LinkType.RAW, outer).payload.equals(sip)).toBe(true);
  });

  it('links nested tunnels outermost first', () => {
    const twice = t.ipipPacket({
      outerSrc: '198.51.100.1',
      outerDst: '198.51.100.2',
      inner: t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', inner: inner4 }),
    });
    const p = t.mustDecode(LinkType.RAW, twice);
    expect(p.tunnel).toMatchObject({ srcIp: '198.51.100.1', inner: { srcIp: '192.0.2.1' } });
    expect(p.tunnel!.inner!.inner).toBeUndefined();
    expect(p.srcIp).toBe('10.0.0.1');
  });

  it('gives up beyond MAX_TUNNEL_DEPTH encapsulations', () => {
    let packet = inner4;
    for (let i = 0; i < 4; i++) packet = t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', inner: packet });
    expect(t.mustDecode(LinkType.RAW, packet).srcIp).toBe('10.0.0.1');
    packet = t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', inner: packet });
    expect(decodeFrame(LinkType.RAW, packet)).toMatchObject({ ok: false, reason: 'tunnel-too-deep' });
  });

  it('reports a fragmented inner packet as a fragment carrying the tunnel context', () => {
    const frag = t.ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: Buffer.alloc(16), moreFragments: true, id: 5 });
    const p = t.mustDecode(LinkType.RAW, t.ipipPacket({ outerSrc: '192.0.2.1', outerDst: '192.0.2.2', inner: frag }));
    expect(p.fragment).toMatchObject({ srcIp: '10.0.0.1', depth: 1, tunnel: { kind: 'ipip', srcIp: '192.0.2.1' } });
  });
});
