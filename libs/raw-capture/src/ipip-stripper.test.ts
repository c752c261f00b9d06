import { describe, expect, it } from 'vitest';
import { LinkType, testing } from '@sipcap/packet';
import { IpipStripper } from './ipip-stripper';

const inner = testing.udpPacket({ src: '10.1.0.1', dst: '10.1.0.2', srcPort: 5060, dstPort: 5062, payload: testing.sipRequest() });
const outer = (dst = '192.0.2.100', protocol = 4, options?: Buffer) =>
  testing.ipv4Packet({ src: '192.0.2.1', dst, protocol, payload: inner, options });

describe('IpipStripper', () => {
  it('strips the outer IPv4 header of a packet for the listen address', () => {
    const s = new IpipStripper('192.0.2.100');
    const got = s.strip(LinkType.ETHERNET, testing.ethernetFrame({ payload: outer(), vlans: [7] }), 1);
    expect(got).toEqual(inner);
    expect(s.counters.inner).toBe(1);
  });

  it('strips outer IPv4 options too', () => {
    const s = new IpipStripper('192.0.2.100');
    const withOptions = outer('192.0.2.100', 4, Buffer.from([0x94, 0x04, 0, 0, 1, 1, 1, 0]));
    expect(withOptions[0] & 0x0f).toBeGreaterThan(5);
    expect(s.strip(LinkType.RAW, withOptions, 1)).toEqual(inner);
  });

  it('ignores Ethernet padding after the outer packet', () => {
    const s = new IpipStripper('192.0.2.100');
    const tinyInner = testing.ipv4Packet({ src: '10.0.0.1', dst: '10.0.0.2', protocol: 17, payload: Buffer.alloc(0) });
    const tiny = testing.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.100', protocol: 4, payload: tinyInner });
    expect(tiny.length).toBeLessThan(46);
    const got = s.strip(LinkType.ETHERNET, testing.ethernetFrame({ payload: tiny, pad: true }), 1);
    expect(got).toEqual(tinyInner);
  });

  it('rejects other protocols, other addresses, IPv6 and non-IP, and counts why', () => {
    const s = new IpipStripper('192.0.2.100');
    expect(s.strip(LinkType.RAW, outer('192.0.2.101'), 1)).toBeUndefined();
    expect(s.strip(LinkType.RAW, outer('192.0.2.100', 17), 1)).toBeUndefined();
    expect(
      s.strip(LinkType.RAW, testing.ipv6Packet({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 4, payload: inner }), 1),
    ).toBeUndefined();
    expect(s.strip(LinkType.ETHERNET, testing.ethernetFrame({ payload: Buffer.alloc(28), etherType: 0x0806 }), 1)).toBeUndefined();
    expect(s.strip(LinkType.RAW, outer().subarray(0, 40), 1)).toBeUndefined();
    expect(s.counters.rejected).toMatchObject({ other_address: 1, not_ipip: 1, not_ipv4: 1, not_ip: 1, truncated: 1 });
    expect(s.counters.inner).toBe(0);
  });

  it('reassembles outer fragments, in any order, into the inner packet', () => {
    const s = new IpipStripper('192.0.2.100');
    const bigInner = testing.udpPacket({
      src: '10.1.0.1',
      dst: '10.1.0.2',
      srcPort: 5060,
      dstPort: 5060,
      payload: testing.sipRequest({ body: testing.sdpBody(2600) }),
    });
    const pieces = testing.fragmentIpv4(
      testing.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.100', protocol: 4, id: 77, payload: bigInner }),
      1400,
    );
    expect(pieces.length).toBeGreaterThan(1);
    const results = [...pieces].reverse().map((p, i) => s.strip(LinkType.RAW, p, i));
    expect(results.slice(0, -1).every((r) => r === undefined)).toBe(true);
    expect(results.at(-1)).toEqual(bigInner);
    expect(s.counters.outerFragments).toBe(pieces.length);
  });

  it('rejects protocol 4 packets whose inner packet is not IPv4', () => {
    const s = new IpipStripper('192.0.2.100');
    const v6 = testing.udpPacket({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 5060, dstPort: 5060, payload: testing.sipRequest() });
    expect(
      s.strip(LinkType.RAW, testing.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.100', protocol: 4, payload: v6 }), 1),
    ).toBeUndefined();
    expect(
      s.strip(LinkType.RAW, testing.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.100', protocol: 4, payload: Buffer.alloc(10, 0x45) }), 1),
    ).toBeUndefined();
    expect(s.counters.rejected.bad_inner).toBe(2);
    expect(s.counters.inner).toBe(0);
  });

  it('needs an IPv4 listen address', () => {
    expect(() => new IpipStripper('fd00::1')).toThrow(/IPv4/);
  });
});
