import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const udp = t.udpDatagram({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: sip });

describe('IPv4', () => {
  it('skips options (IHL > 5) to find the transport header', () => {
    // Router alert (4 bytes) + record route with room for 2 addresses (11 bytes), padded to 16.
    const options = Buffer.from([0x94, 0x04, 0x00, 0x00, 0x07, 0x0b, 0x04, 0, 0, 0, 0, 0, 0, 0, 0]);
    const packet = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp, options });
    expect(packet[0] & 0x0f).toBe(9);
    const p = t.mustDecode(LinkType.RAW, packet);
    expect(p).toMatchObject({ srcIp: '192.0.2.1', dstIp: '192.0.2.2', srcPort: 5060 });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('bounds the packet by its total length (trailing bytes such as an FCS are not payload)', () => {
    const packet = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp });
    const withTrailer = Buffer.concat([packet, Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
    expect(t.mustDecode(LinkType.RAW, withTrailer).payload.equals(sip)).toBe(true);
  });

  it('takes a total length of 0 (TSO capture) as the rest of the frame', () => {
    const packet = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp, totalLength: 0 });
    expect(t.mustDecode(LinkType.RAW, packet).payload.equals(sip)).toBe(true);
  });

  it('rejects IHL below 5, a total length below the header, and a total length beyond the frame', () => {
    const packet = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp });
    const badIhl = Buffer.from(packet);
    badIhl[0] = 0x44;
    expect(decodeFrame(LinkType.RAW, badIhl)).toMatchObject({ ok: false, reason: 'bad-header' });
    const shortTotal = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp, totalLength: 12 });
    expect(decodeFrame(LinkType.RAW, shortTotal)).toMatchObject({ ok: false, reason: 'bad-header' });
    const longTotal = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp, totalLength: packet.length + 1 });
    expect(decodeFrame(LinkType.RAW, longTotal)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('returns a fragment descriptor instead of a transport header for fragments', () => {
    const first = t.ipv4Packet({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      protocol: 17,
      payload: udp.subarray(0, 64),
      id: 0xbeef,
      moreFragments: true,
    });
    const p = t.mustDecode(LinkType.RAW, first);
    expect(p.srcPort).toBe(0);
    expect(p.payload.length).toBe(0);
    expect(p.fragment).toMatchObject({ family: 2, id: 0xbeef, ipProto: 17, offset: 0, more: true, srcIp: '192.0.2.1' });
    expect(p.fragment!.data.equals(udp.subarray(0, 64))).toBe(true);

    const last = t.ipv4Packet({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      protocol: 17,
      payload: udp.subarray(64),
      id: 0xbeef,
      fragmentOffset: 64,
    });
    expect(t.mustDecode(LinkType.RAW, last).fragment).toMatchObject({ offset: 64, more: false });
  });

  it('treats DF without offset or MF as a whole packet', () => {
    const packet = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: udp, dontFragment: true });
    const p = t.mustDecode(LinkType.RAW, packet);
    expect(p.fragment).toBeUndefined();
    expect(p.srcPort).toBe(5060);
  });

  it('names protocols it does not follow', () => {
    const icmp = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 1, payload: Buffer.alloc(8) });
    expect(decodeFrame(LinkType.RAW, icmp)).toMatchObject({ ok: false, reason: 'unsupported-protocol', message: 'IP protocol 1' });
  });
});
