import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const v4 = t.udpPacket({ src: '127.0.0.1', dst: '127.0.0.1', srcPort: 5060, dstPort: 5061, payload: t.sipRequest() });
const v6 = t.udpPacket({ src: '::1', dst: '::1', srcPort: 5060, dstPort: 5061, payload: t.sipRequest() });

describe('BSD loopback (NULL, linktype 0)', () => {
  it('reads the family in either host byte order', () => {
    expect(t.mustDecode(LinkType.NULL, t.nullFrame(v4, 2, 'le'))).toMatchObject({ family: 2, srcIp: '127.0.0.1' });
    expect(t.mustDecode(LinkType.NULL, t.nullFrame(v4, 2, 'be'))).toMatchObject({ family: 2, dstPort: 5061 });
  });

  it('knows the IPv6 family numbers of NetBSD/OpenBSD (24), FreeBSD (28) and Darwin (30)', () => {
    for (const family of [24, 28, 30]) {
      for (const order of ['le', 'be'] as const) {
        expect(t.mustDecode(LinkType.NULL, t.nullFrame(v6, family, order))).toMatchObject({ family: 10, srcIp: '::1' });
      }
    }
  });

  it('rejects other families', () => {
    expect(decodeFrame(LinkType.NULL, t.nullFrame(v4, 7))).toMatchObject({ ok: false, reason: 'unsupported-protocol' });
  });
});

describe('OpenBSD loop (linktype 108)', () => {
  it('reads the family in network byte order', () => {
    expect(t.mustDecode(LinkType.LOOP, t.loopFrame(v4, 2))).toMatchObject({ family: 2 });
    expect(t.mustDecode(LinkType.LOOP, t.loopFrame(v6, 24))).toMatchObject({ family: 10 });
    // The same bytes little-endian are not a family LOOP knows.
    expect(decodeFrame(LinkType.LOOP, t.nullFrame(v4, 2, 'le'))).toMatchObject({ ok: false });
  });
});
