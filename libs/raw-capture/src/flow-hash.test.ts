import { describe, expect, it } from 'vitest';
import { testing } from '@sipcap/packet';
import { ipPairHash, workerFor } from './flow-hash';

const udp = (src: string, dst: string, srcPort = 5060, dstPort = 5060) =>
  testing.udpPacket({ src, dst, srcPort, dstPort, payload: Buffer.from('INVITE') });

describe('ipPairHash', () => {
  it('is the same in both directions, IPv4 and IPv6', () => {
    expect(ipPairHash(udp('192.0.2.1', '192.0.2.2'), 0)).toBe(ipPairHash(udp('192.0.2.2', '192.0.2.1'), 0));
    expect(ipPairHash(udp('2001:db8::1', '2001:db8::2'), 0)).toBe(ipPairHash(udp('2001:db8::2', '2001:db8::1'), 0));
  });

  it('ignores ports, so every fragment of a datagram hashes alike', () => {
    expect(ipPairHash(udp('192.0.2.1', '192.0.2.2', 5060, 5060), 0)).toBe(ipPairHash(udp('192.0.2.1', '192.0.2.2', 40000, 5080), 0));
    const whole = udp('192.0.2.1', '192.0.2.2');
    const big = testing.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: Buffer.alloc(3000, 0x41) });
    const hashes = new Set(testing.fragmentIpv4(big, 1480).map((f) => ipPairHash(f, 0)));
    expect([...hashes]).toEqual([ipPairHash(whole, 0)]);
  });

  it('spreads many address pairs over the workers', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 400; i++) counts[workerFor(ipPairHash(udp(`10.0.${i >> 8}.${i & 255}`, '10.1.0.1'), 0), 4)]++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });

  it('sends frames without an IP header to hash 0', () => {
    expect(ipPairHash(Buffer.alloc(4), -1)).toBe(0);
  });
});
