import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const inner4 = t.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: sip });
const inner6 = t.udpPacket({ src: 'fd00::1', dst: 'fd00::2', srcPort: 5060, dstPort: 5060, payload: sip });
const outer = { outerSrc: '192.0.2.1', outerDst: '192.0.2.2' };

describe('GRE', () => {
  it('decodes IPv4 and IPv6 payloads with no optional fields', () => {
    const p = t.mustDecode(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x0800, payload: inner4 }));
    expect(p).toMatchObject({ srcIp: '10.0.0.1', tunnel: { kind: 'gre', srcIp: '192.0.2.1', dstIp: '192.0.2.2' } });
    expect(p.tunnel!.id).toBeUndefined();
    expect(t.mustDecode(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x86dd, payload: inner6 })).srcIp).toBe('fd00::1');
  });

  it('skips checksum, key and sequence fields in every combination and reports the key', () => {
    for (const checksum of [false, true]) {
      for (const key of [undefined, 0xfeedbeef]) {
        for (const sequence of [undefined, 9]) {
          const p = t.mustDecode(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x0800, payload: inner4, checksum, key, sequence }));
          expect(p.payload.equals(sip)).toBe(true);
          expect(p.tunnel!.id).toBe(key);
        }
      }
    }
  });

  it('decodes a bridged Ethernet frame (0x6558) with its VLAN', () => {
    const frame = t.ethernetFrame({ payload: inner4, vlans: [12] });
    const p = t.mustDecode(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x6558, key: 1, payload: frame }));
    expect(p).toMatchObject({ srcIp: '10.0.0.1', vlans: [12], tunnel: { kind: 'gre', id: 1 } });
  });

  it('works over an IPv6 outer header', () => {
    const p = t.mustDecode(
      LinkType.RAW,
      t.grePacket({ outerSrc: '2001:db8::1', outerDst: '2001:db8::2', protocol: 0x0800, payload: inner4 }),
    );
    expect(p.tunnel).toMatchObject({ family: 10, srcIp: '2001:db8::1' });
  });

  it('does not follow version 1 (PPTP), source routing, or unknown protocols', () => {
    const v1 = t.grePacket({ ...outer, protocol: 0x880b, payload: Buffer.alloc(8) });
    v1[21] = 0x01;
    expect(decodeFrame(LinkType.RAW, v1)).toMatchObject({ ok: false, reason: 'unsupported-protocol' });
    const routed = t.grePacket({ ...outer, protocol: 0x0800, payload: inner4 });
    routed[20] |= 0x40;
    expect(decodeFrame(LinkType.RAW, routed)).toMatchObject({ ok: false, reason: 'unsupported-protocol' });
    expect(decodeFrame(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x0806, payload: Buffer.alloc(28) }))).toMatchObject({
      ok: false,
      reason: 'unsupported-protocol',
    });
  });

  it('reports a key cut by the end of the packet as truncated', () => {
    const gre = t.greBody({ protocol: 0x0800, key: 5, payload: Buffer.alloc(0) }).subarray(0, 6);
    expect(decodeFrame(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 47, payload: gre }))).toMatchObject({
      ok: false,
      reason: 'truncated',
    });
  });
});
