import { describe, expect, it } from 'vitest';
import { IPIP_FRAME_HEX, OPTIONS_FRAME_HEX, VLAN_IPV6_FRAME_HEX } from './fixtures/captured';
import { LinkType } from './linktype';
import { mustDecode } from './testing/must-decode';

// Frames written out by hand and checked with tshark (see fixtures/captured.ts): the expected values
// below are read from the hex, not from this decoder.
describe('hand-written frames', () => {
  it('Ethernet / IPv4 / UDP SIP OPTIONS', () => {
    const frame = Buffer.from(OPTIONS_FRAME_HEX, 'hex');
    const p = mustDecode(LinkType.ETHERNET, frame);
    expect(p).toMatchObject({ family: 2, srcIp: '192.168.1.10', dstIp: '10.0.0.5', ipProto: 17, srcPort: 5060, dstPort: 5060 });
    expect(p.payload.length).toBe(210 - 8);
    expect(p.payload.toString('latin1')).toMatch(/^OPTIONS sip:10\.0\.0\.5 SIP\/2\.0\r\n/);
    expect(p.payload.toString('latin1')).toMatch(/Call-ID: hexfixture-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n$/);
    expect(p.payload.byteOffset - frame.byteOffset).toBe(14 + 20 + 8);
  });

  it('802.1Q / IPv6 / UDP SIP reply', () => {
    const p = mustDecode(LinkType.ETHERNET, Buffer.from(VLAN_IPV6_FRAME_HEX, 'hex'));
    expect(p).toMatchObject({ family: 10, srcIp: '2001:db8:aa::1', dstIp: '2001:db8:bb::2', srcPort: 5060, dstPort: 5070, vlans: [100] });
    expect(p.payload.toString('latin1')).toBe('SIP/2.0 200 OK\r\nCall-ID: v6fixture\r\nContent-Length: 0\r\n\r\n');
  });

  it('IPIP with an outer IPv4 option', () => {
    const p = mustDecode(LinkType.ETHERNET, Buffer.from(IPIP_FRAME_HEX, 'hex'));
    expect(p).toMatchObject({ srcIp: '10.1.2.3', dstIp: '10.1.2.4', srcPort: 5060, dstPort: 5060 });
    expect(p.tunnel).toEqual({ kind: 'ipip', family: 2, srcIp: '192.0.2.1', dstIp: '192.0.2.200' });
    expect(p.payload.toString()).toBe('hello');
  });
});
