import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const v4 = t.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: t.sipRequest() });
const v6 = t.udpPacket({ src: '2001:db8::a', dst: '2001:db8::b', srcPort: 5060, dstPort: 5060, payload: t.sipRequest() });

describe('raw IP link types', () => {
  it('101, 12 and 14 pick IPv4 or IPv6 by version nibble', () => {
    for (const lt of [LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14]) {
      expect(t.mustDecode(lt, v4)).toMatchObject({ family: 2, srcIp: '192.0.2.1' });
      expect(t.mustDecode(lt, v6)).toMatchObject({ family: 10, srcIp: '2001:db8::a' });
    }
  });

  it('228 is IPv4 only and 229 IPv6 only', () => {
    expect(t.mustDecode(LinkType.IPV4, v4).family).toBe(2);
    expect(t.mustDecode(LinkType.IPV6, v6).family).toBe(10);
    expect(decodeFrame(LinkType.IPV4, v6)).toMatchObject({ ok: false, reason: 'bad-header' });
    expect(decodeFrame(LinkType.IPV6, v4)).toMatchObject({ ok: false, reason: 'bad-header' });
  });

  it('rejects an empty frame and other versions', () => {
    expect(decodeFrame(LinkType.RAW, Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'truncated' });
    expect(decodeFrame(LinkType.RAW, Buffer.from([0x50, 0, 0, 0]))).toMatchObject({ ok: false, reason: 'bad-header' });
  });
});
