import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();
const inner4 = t.udpPacket({ src: '10.0.0.1', dst: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: sip });
const innerFrame = t.ethernetFrame({ payload: inner4 });
const outer = { outerSrc: '192.0.2.1', outerDst: '192.0.2.2' };

describe('ERSPAN', () => {
  it('type II: decodes the mirrored frame and reports the session id', () => {
    const p = t.mustDecode(LinkType.ETHERNET, t.ethernetFrame({ payload: t.erspanIIPacket({ ...outer, sessionId: 1023, innerFrame }) }));
    expect(p).toMatchObject({ srcIp: '10.0.0.1', tunnel: { kind: 'erspan', id: 1023, srcIp: '192.0.2.1' } });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('type II: reports the original VLAN when the tag was stripped into the header', () => {
    const p = t.mustDecode(LinkType.RAW, t.erspanIIPacket({ ...outer, sessionId: 1, innerFrame, vlan: 77, encapsulation: 2 }));
    expect(p.vlans).toEqual([77]);
    const kept = t.mustDecode(
      LinkType.RAW,
      t.erspanIIPacket({
        ...outer,
        sessionId: 1,
        innerFrame: t.ethernetFrame({ payload: inner4, vlans: [77] }),
        vlan: 77,
        encapsulation: 3,
      }),
    );
    expect(kept.vlans).toEqual([77]); // from the frame's own tag, not twice
  });

  it('type I (no sequence, no ERSPAN header): the frame follows GRE directly', () => {
    const p = t.mustDecode(LinkType.RAW, t.grePacket({ ...outer, protocol: 0x88be, payload: innerFrame }));
    expect(p).toMatchObject({ srcIp: '10.0.0.1', tunnel: { kind: 'erspan' } });
  });

  it('type III: with and without the platform subheader', () => {
    for (const subheader of [false, true]) {
      const p = t.mustDecode(LinkType.RAW, t.erspanIIIPacket({ ...outer, sessionId: 600, inner: innerFrame, subheader }));
      expect(p).toMatchObject({ srcIp: '10.0.0.1', tunnel: { kind: 'erspan', id: 600 } });
      expect(p.payload.equals(sip)).toBe(true);
    }
  });

  it('type III: an IP frame type carries the packet without Ethernet', () => {
    const p = t.mustDecode(LinkType.RAW, t.erspanIIIPacket({ ...outer, sessionId: 2, inner: inner4, frameType: 2 }));
    expect(p.srcIp).toBe('10.0.0.1');
  });

  it('rejects a header of the wrong version', () => {
    const bad = t.erspanIIPacket({ ...outer, sessionId: 1, innerFrame });
    bad[20 + 8] = 0x20; // version 2 in a type II header (IPv4 20 + GRE 8)
    expect(decodeFrame(LinkType.RAW, bad)).toMatchObject({ ok: false, reason: 'bad-header' });
  });
});
