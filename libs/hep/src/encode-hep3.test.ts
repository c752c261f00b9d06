import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { encodeHep3 } from './encode-hep3';
import type { HepEncodeInput } from './hep-encode-input';
import { SIP_INVITE } from './test-fixtures';

const base: HepEncodeInput = { srcIp: '192.0.2.10', dstIp: '198.51.100.20', srcPort: 5060, dstPort: 5062, payload: SIP_INVITE };

/** Chunk types in the order written, walked independently of the decoder. */
function chunkTypes(buf: Buffer): number[] {
  const types: number[] = [];
  for (let off = 6; off < buf.readUInt16BE(4); off += buf.readUInt16BE(off + 4)) types.push(buf.readUInt16BE(off + 2));
  return types;
}

describe('encodeHep3', () => {
  it('writes the header, the required chunks and the defaults', () => {
    const buf = encodeHep3(base);
    expect(buf.subarray(0, 4).toString('latin1')).toBe('HEP3');
    expect(buf.readUInt16BE(4)).toBe(buf.length);
    expect(chunkTypes(buf)).toEqual([1, 2, 3, 4, 7, 8, 11, 15]);
    expect(decodeHep(buf)).toEqual({
      ok: true,
      packet: {
        version: 3,
        family: 2,
        ipProto: 17,
        srcIp: '192.0.2.10',
        dstIp: '198.51.100.20',
        srcPort: 5060,
        dstPort: 5062,
        tsSec: 0,
        tsUsec: 0,
        payloadType: 1,
        captureId: 0,
        payload: SIP_INVITE,
        compressed: false,
      },
    });
  });

  it('round-trips every field, IPv4 and IPv6', () => {
    const full: HepEncodeInput = {
      ...base,
      family: 2,
      ipProto: 6,
      tsSec: 1_712_345_678,
      tsUsec: 999_999,
      payloadType: 100,
      captureId: 0xfffffffe,
      authKey: 'sëcret',
      correlationId: 'a84b4c76e66710@pc33',
      vlan: 42,
      nodeName: 'sbc-1',
      keepAlive: 60,
    };
    const v6 = { family: 10, srcIp: '2001:db8:0:0:1::1', dstIp: '::ffff:192.0.2.1' };
    for (const [addr, canonicalSrc] of [
      [{}, '192.0.2.10'],
      [v6, '2001:db8::1:0:0:1'],
    ] as const) {
      const input = { ...full, ...addr };
      const r = decodeHep(encodeHep3(input));
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const { payload, compressed, version, ...fields } = r.packet;
      const { payload: inPayload, ...expected } = input;
      expect(fields).toEqual({ ...expected, srcIp: canonicalSrc });
      expect(payload.equals(inPayload)).toBe(true);
      expect([version, compressed]).toEqual([3, false]);
    }
  });

  it('writes time chunks when only microseconds are given', () => {
    expect(chunkTypes(encodeHep3({ ...base, tsUsec: 5 }))).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 11, 15]);
  });

  it('compresses into chunk 16 with zlib when asked', () => {
    const payload = Buffer.from('SIP/2.0 200 OK\r\n'.repeat(50));
    const buf = encodeHep3({ ...base, payload, compress: true });
    expect(chunkTypes(buf)).toEqual([1, 2, 3, 4, 7, 8, 11, 16]);
    expect(buf.length).toBeLessThan(payload.length);
    const payloadChunk = 6 + 7 + 7 + 10 + 10 + 8 + 8 + 7; // header + chunks 1, 2, 3, 4, 7, 8, 11
    expect(inflateSync(buf.subarray(payloadChunk + 6)).equals(payload)).toBe(true);
    const r = decodeHep(buf);
    expect(r.ok && r.packet.compressed).toBe(true);
    expect(r.ok && r.packet.payload.equals(payload)).toBe(true);
  });

  it('refuses what cannot be encoded', () => {
    expect(() => encodeHep3({ ...base, srcIp: 'pbx.example.com' })).toThrow(TypeError);
    expect(() => encodeHep3({ ...base, dstIp: '2001:db8::1' })).toThrow(/same family/);
    expect(() => encodeHep3({ ...base, family: 10 })).toThrow(/does not match/);
    expect(() => encodeHep3({ ...base, srcPort: 65536 })).toThrow(RangeError);
    expect(() => encodeHep3({ ...base, dstPort: -1 })).toThrow(RangeError);
    expect(() => encodeHep3({ ...base, tsSec: 1.5 })).toThrow(RangeError);
    expect(() => encodeHep3({ ...base, vlan: 70000 })).toThrow(RangeError);
    expect(() => encodeHep3({ ...base, payload: Buffer.alloc(65_500) })).toThrow(/65535/);
  });

  it('fills a packet up to exactly 65535 bytes', () => {
    const room = 0xffff - encodeHep3({ ...base, payload: Buffer.alloc(0) }).length;
    const buf = encodeHep3({ ...base, payload: Buffer.alloc(room, 0x41) });
    expect(buf.length).toBe(0xffff);
    expect(decodeHep(buf).ok).toBe(true);
    expect(() => encodeHep3({ ...base, payload: Buffer.alloc(room + 1) })).toThrow(RangeError);
  });
});
