import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();

describe('UDP', () => {
  it('bounds the payload by the UDP length', () => {
    const d = t.udpDatagram({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: sip });
    const padded = t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: Buffer.concat([d, Buffer.alloc(5)]) });
    expect(t.mustDecode(LinkType.RAW, padded).payload.equals(sip)).toBe(true);
  });

  it('returns a view into the frame, not a copy', () => {
    const frame = t.udpPacket({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: sip });
    const p = t.mustDecode(LinkType.RAW, frame);
    expect(p.payload.buffer).toBe(frame.buffer);
    expect(p.payload.byteOffset).toBe(frame.byteOffset + 28);
  });

  it('rejects a length below 8 and a length beyond the packet', () => {
    const d = t.udpDatagram({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 5060, dstPort: 5060, payload: sip });
    const small = Buffer.from(d);
    small.writeUInt16BE(7, 4);
    expect(decodeFrame(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: small }))).toMatchObject({
      reason: 'bad-header',
    });
    const big = Buffer.from(d);
    big.writeUInt16BE(d.length + 1, 4);
    expect(decodeFrame(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 17, payload: big }))).toMatchObject({
      reason: 'truncated',
    });
  });
});
