import { describe, expect, it } from 'vitest';
import { ipv4Number, PeerMap, peerEntryProblem } from './peer-map';

describe('PeerMap', () => {
  const peers = new PeerMap('carrierA=203.0.113.0/24, pbx=10.0.0.5, core=10.0.0.0/8, v6=2001:db8::/32, v6host=2001:db8::1');

  it('names an address by its longest matching prefix, IPv4 and IPv6', () => {
    expect(peers.peerOf('203.0.113.77')).toBe('carrierA');
    expect(peers.peerOf('10.0.0.5')).toBe('pbx');
    expect(peers.peerOf('10.9.9.9')).toBe('core');
    expect(peers.peerOf('2001:db8::1')).toBe('v6host');
    expect(peers.peerOf('2001:db8:ffff::2')).toBe('v6');
  });

  it('calls everything else other, including text that is not an address', () => {
    expect(peers.peerOf('198.51.100.1')).toBe('other');
    expect(peers.peerOf('2001:db9::1')).toBe('other');
    expect(peers.peerOf('')).toBe('other');
    expect(peers.peerOf('not-an-ip')).toBe('other');
    expect(new PeerMap('').peerOf('10.0.0.5')).toBe('other');
  });

  it('lists its names with other last', () => {
    expect(peers.names).toEqual(['carrierA', 'pbx', 'core', 'v6', 'v6host', 'other']);
  });

  it('reads IPv4 numerically, as BlockList would: /0, /32, edges, and text that only looks like an address', () => {
    expect(ipv4Number('10.0.0.5')).toBe(0x0a000005);
    expect(ipv4Number('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['10.0.0', '10.0.0.256', '10..0.1', '10.0.0.1.', '1.2.3.4.5', 'a.b.c.d', '']) expect(ipv4Number(bad), bad).toBe(-1);
    const p = new PeerMap('all=0.0.0.0/0,one=192.0.2.255/32,net=192.0.2.0/24');
    expect(['192.0.2.255', '192.0.2.0', '192.0.3.0', '8.8.8.8'].map((ip) => p.peerOf(ip))).toEqual(['one', 'net', 'all', 'all']);
    // An IPv4-mapped IPv6 address goes through BlockList, which matches it to the IPv4 subnet.
    expect(new PeerMap('net=192.0.2.0/24').peerOf('::ffff:192.0.2.1')).toBe('net');
  });

  it('keeps its cache bounded and still answers right past it', () => {
    const small = new PeerMap('a=2001:db8::/32', 4);
    for (let i = 0; i < 100; i++) expect(small.peerOf(`2001:db8::${i}`)).toBe('a');
    expect((small as unknown as { cache: Map<string, string> }).cache.size).toBe(4);
  });

  it('rejects bad entries with a reason', () => {
    expect(peerEntryProblem('a=10.0.0.0/33')).toMatch(/prefix length/);
    expect(peerEntryProblem('a=2001:db8::/129')).toMatch(/prefix length/);
    expect(peerEntryProblem('10.0.0.1')).toMatch(/name=address/);
    expect(peerEntryProblem('other=10.0.0.1')).toMatch(/no entry covers/);
    expect(peerEntryProblem('a b=10.0.0.1')).toMatch(/peer name/);
    expect(peerEntryProblem('a=10.0.0')).toMatch(/IPv4 or IPv6/);
    expect(peerEntryProblem('a=10.0.0.1')).toBeUndefined();
    expect(() => new PeerMap('a=1.2.3.4,bad')).toThrow(/"bad"/);
  });
});
