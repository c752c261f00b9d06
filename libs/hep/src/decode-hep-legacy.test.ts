import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { decodeHepLegacy } from './decode-hep-legacy';
import { SIP_INVITE } from './test-fixtures';

/** A HEP v1/v2 packet written byte by byte, independent of the encoder. */
function legacy(version: 1 | 2, family: 2 | 10, addr: number[][], time?: { sec: number; usec: number; id: number }): Buffer {
  const size = family === 2 ? 4 : 16;
  const hl = 8 + 2 * size + (version === 2 ? 12 : 0);
  const b = Buffer.alloc(hl + SIP_INVITE.length);
  b[0] = version;
  b[1] = hl;
  b[2] = family;
  b[3] = 17;
  b.writeUInt16BE(5060, 4);
  b.writeUInt16BE(5070, 6);
  b.set(addr[0], 8);
  b.set(addr[1], 8 + size);
  if (time) {
    b.writeUInt32LE(time.sec, 8 + 2 * size);
    b.writeUInt32LE(time.usec, 12 + 2 * size);
    b.writeUInt16LE(time.id, 16 + 2 * size);
  }
  SIP_INVITE.copy(b, hl);
  return b;
}

const v6a = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const v6b = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b];

describe('decodeHep: HEP v1', () => {
  it('decodes IPv4', () => {
    const buf = legacy(1, 2, [[10, 0, 0, 1], [192, 168, 1, 20]]);
    const r = decodeHep(buf);
    expect(r).toEqual({
      ok: true,
      packet: expect.objectContaining({
        version: 1, family: 2, ipProto: 17, srcIp: '10.0.0.1', dstIp: '192.168.1.20', srcPort: 5060, dstPort: 5070,
        tsSec: 0, tsUsec: 0, payloadType: 1, captureId: 0, compressed: false,
      }),
    });
    if (!r.ok) return;
    expect(r.packet.payload.equals(SIP_INVITE)).toBe(true);
    expect(r.packet.payload.buffer).toBe(buf.buffer); // a view of the datagram, not a copy
    expect(r.packet.payload.byteOffset).toBe(buf.byteOffset + 16);
  });

  it('decodes IPv6', () => {
    const r = decodeHep(legacy(1, 10, [v6a, v6b]));
    expect(r.ok && r.packet).toMatchObject({ version: 1, family: 10, srcIp: '2001:db8::1', dstIp: '2001:db8::a0b' });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });
});

describe('decodeHep: HEP v2', () => {
  it('decodes IPv4 with the little-endian time header', () => {
    const r = decodeHep(legacy(2, 2, [[10, 0, 0, 1], [10, 0, 0, 2]], { sec: 1_700_000_123, usec: 987_654, id: 2001 }));
    expect(r.ok && r.packet).toMatchObject({
      version: 2, family: 2, srcIp: '10.0.0.1', dstIp: '10.0.0.2', tsSec: 1_700_000_123, tsUsec: 987_654, captureId: 2001,
    });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });

  it('decodes IPv6 with the little-endian time header', () => {
    const r = decodeHep(legacy(2, 10, [v6b, v6a], { sec: 0xfffffffe, usec: 999_999, id: 0xfffe }));
    expect(r.ok && r.packet).toMatchObject({
      version: 2, family: 10, srcIp: '2001:db8::a0b', dstIp: '2001:db8::1', tsSec: 0xfffffffe, tsUsec: 999_999, captureId: 0xfffe,
    });
    expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
  });
});

describe('decodeHepLegacy: malformed', () => {
  const good = legacy(1, 2, [[10, 0, 0, 1], [10, 0, 0, 2]]);
  const cases: [string, Buffer, string][] = [
    ['3 bytes', good.subarray(0, 3), 'truncated_header'],
    ['a v1 IPv4 header cut at 15 bytes', good.subarray(0, 15), 'truncated_header'],
    ['a v2 IPv6 header cut at 51 bytes', legacy(2, 10, [v6a, v6b]).subarray(0, 51), 'truncated_header'],
    ['v1 IPv4 header length 20', Buffer.concat([Buffer.from([1, 20]), good.subarray(2)]), 'bad_header_length'],
    ['v1 IPv6 header length 16 (the IPv4 size)', Buffer.concat([Buffer.from([1, 16]), legacy(1, 10, [v6a, v6b]).subarray(2)]), 'bad_header_length'],
    ['v2 IPv4 header length 16 (the v1 size)', Buffer.concat([Buffer.from([2, 16]), legacy(2, 2, [[1, 1, 1, 1], [2, 2, 2, 2]]).subarray(2)]), 'bad_header_length'],
    ['family 3', Buffer.concat([Buffer.from([1, 16, 3]), good.subarray(3)]), 'bad_family'],
    ['no payload', good.subarray(0, 16), 'missing_payload'],
  ];
  for (const [name, buf, reason] of cases) {
    it(`${name} -> ${reason}`, () => {
      const r = decodeHepLegacy(buf);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(reason);
        expect(r.message.length).toBeGreaterThan(0);
      }
    });
  }
});
