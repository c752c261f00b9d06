import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode-frame';
import { TcpFlag } from './decoded-packet';
import { LinkType } from './linktype';
import * as t from './testing/index';

const sip = t.sipRequest();

describe('TCP', () => {
  it('reports ports, sequence, ack and flags, and skips options', () => {
    const segment = t.tcpSegment({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      srcPort: 40000,
      dstPort: 5060,
      seq: 0xfffffff0,
      ack: 77,
      flags: TcpFlag.ACK | TcpFlag.PSH | TcpFlag.FIN,
      payload: sip,
      options: Buffer.from([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]), // NOP NOP timestamps
    });
    const p = t.mustDecode(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, payload: segment }));
    expect(p).toMatchObject({
      ipProto: 6,
      srcPort: 40000,
      dstPort: 5060,
      tcp: { seq: 0xfffffff0, ack: 77, flags: TcpFlag.ACK | TcpFlag.PSH | TcpFlag.FIN },
    });
    expect(p.payload.equals(sip)).toBe(true);
  });

  it('decodes a SYN without data', () => {
    const p = t.mustDecode(
      LinkType.RAW,
      t.tcpPacket({ src: '2001:db8::1', dst: '2001:db8::2', srcPort: 1, dstPort: 5060, seq: 5, flags: TcpFlag.SYN }),
    );
    expect(p.tcp!.flags & TcpFlag.SYN).toBe(TcpFlag.SYN);
    expect(p.payload.length).toBe(0);
  });

  it('rejects a data offset below 5', () => {
    const segment = t.tcpSegment({ src: '192.0.2.1', dst: '192.0.2.2', srcPort: 1, dstPort: 2, seq: 1, payload: sip });
    segment[12] = 0x40;
    expect(decodeFrame(LinkType.RAW, t.ipv4Packet({ src: '192.0.2.1', dst: '192.0.2.2', protocol: 6, payload: segment }))).toMatchObject({
      reason: 'bad-header',
    });
  });
});
