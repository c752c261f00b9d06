import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const src = '2001:db8:0:1::10';
const dst = '2001:db8:0:2::20';
const sip = t.sipRequest();
const udp = t.udpDatagram({ src, dst, srcPort: 5060, dstPort: 5070, payload: sip });

describe('IPv6', () => {
  it('writes addresses in RFC 5952 form', () => {
    const p = t.mustDecode(
      LinkType.RAW,
      t.ipv6Packet({ src: '2001:0db8:0000:0000:0000:0000:0000:0001', dst: '::ffff:192.0.2.7', nextHeader: 17, payload: udp }),
    );
    expect(p.srcIp).toBe('2001:db8::1');
    expect(p.dstIp).toBe('::ffff:192.0.2.7');
  });

  it('walks hop-by-hop, routing, destination options and AH headers', () => {
    const chain = Buffer.concat([t.ipv6Extension(43, 8), t.ipv6Extension(60, 24), t.ipv6Extension(51, 16), t.ipv6AuthHeader(17, 12)]);
    const p = t.mustDecode(LinkType.RAW, t.ipv6Packet({ src, dst, nextHeader: 0, extensions: chain, payload: udp }));
    expect(p).toMatchObject({ family: 10, ipProto: 17, srcPort: 5060, dstPort: 5070 });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('returns a fragment at the fragment header, with the next header as protocol', () => {
    const frag = t.ipv6FragmentHeader(17, 1232, true, 0xdeadbeef);
    const p = t.mustDecode(
      LinkType.RAW,
      t.ipv6Packet({ src, dst, nextHeader: 60, extensions: Buffer.concat([t.ipv6Extension(44), frag]), payload: udp.subarray(0, 16) }),
    );
    expect(p.fragment).toMatchObject({ family: 10, id: 0xdeadbeef, ipProto: 17, offset: 1232, more: true });
    expect(p.fragment!.data.length).toBe(16);
  });

  it('decodes an atomic fragment (offset 0, M clear) as a whole packet', () => {
    const p = t.mustDecode(
      LinkType.RAW,
      t.ipv6Packet({ src, dst, nextHeader: 44, extensions: t.ipv6FragmentHeader(17, 0, false, 9), payload: udp }),
    );
    expect(p.fragment).toBeUndefined();
    expect(p.dstPort).toBe(5070);
  });

  it('stops at ESP and at no-next-header', () => {
    const esp = t.ipv6Packet({ src, dst, nextHeader: 50, payload: Buffer.alloc(32) });
    expect(decodeFrame(LinkType.RAW, esp)).toMatchObject({ ok: false, reason: 'unsupported-protocol' });
    const none = t.ipv6Packet({ src, dst, nextHeader: 60, extensions: t.ipv6Extension(59), payload: Buffer.alloc(0) });
    expect(decodeFrame(LinkType.RAW, none)).toMatchObject({ ok: false, reason: 'unsupported-protocol' });
  });

  it('bounds an extension chain and reports headers cut by the payload length', () => {
    const long = Buffer.concat(Array.from({ length: 17 }, () => t.ipv6Extension(60)));
    expect(decodeFrame(LinkType.RAW, t.ipv6Packet({ src, dst, nextHeader: 60, extensions: long, payload: Buffer.alloc(0) }))).toMatchObject(
      {
        ok: false,
        reason: 'bad-header',
      },
    );
    const cut = t.ipv6Packet({ src, dst, nextHeader: 0, extensions: t.ipv6Extension(17, 16), payload: Buffer.alloc(0), payloadLength: 8 });
    expect(decodeFrame(LinkType.RAW, cut)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('bounds the packet by its payload length, and takes 0 as the rest of the frame', () => {
    const exact = t.ipv6Packet({ src, dst, nextHeader: 17, payload: udp });
    expect(t.mustDecode(LinkType.RAW, Buffer.concat([exact, Buffer.alloc(6)])).payload.equals(sip)).toBe(true);
    expect(t.mustDecode(LinkType.RAW, t.ipv6Packet({ src, dst, nextHeader: 17, payload: udp, payloadLength: 0 })).payload.equals(sip)).toBe(
      true,
    );
    expect(decodeFrame(LinkType.RAW, exact.subarray(0, exact.length - 1))).toMatchObject({ ok: false, reason: 'truncated' });
  });
});
