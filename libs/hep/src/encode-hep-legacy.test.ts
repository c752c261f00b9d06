import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { encodeHep1, encodeHep2 } from './encode-hep-legacy';
import type { HepEncodeInput } from './hep-encode-input';
import { SIP_INVITE } from './test-fixtures';

const base: HepEncodeInput = {
  srcIp: '10.0.0.1',
  dstIp: '10.0.0.2',
  srcPort: 5060,
  dstPort: 5070,
  ipProto: 132,
  tsSec: 1_700_000_001,
  tsUsec: 250_000,
  captureId: 2001,
  payload: SIP_INVITE,
};

describe('encodeHep1', () => {
  it('writes the v1 layout', () => {
    const buf = encodeHep1(base);
    expect([...buf.subarray(0, 16)]).toEqual([1, 16, 2, 132, 0x13, 0xc4, 0x13, 0xce, 10, 0, 0, 1, 10, 0, 0, 2]);
    expect(buf.subarray(16).equals(SIP_INVITE)).toBe(true);
  });

  it('round-trips IPv6, without time or capture id', () => {
    const r = decodeHep(encodeHep1({ ...base, srcIp: '2001:db8::5', dstIp: '2001:db8::6' }));
    expect(r.ok && r.packet).toMatchObject({
      version: 1,
      family: 10,
      ipProto: 132,
      srcIp: '2001:db8::5',
      dstIp: '2001:db8::6',
      srcPort: 5060,
      dstPort: 5070,
      tsSec: 0,
      tsUsec: 0,
      captureId: 0,
      payloadType: 1,
    });
  });
});

describe('encodeHep2', () => {
  it('writes the header length byte as Kamailio siptrace does (16/40, time header not counted)', () => {
    expect(encodeHep2(base)[1]).toBe(16);
    expect(encodeHep2({ ...base, srcIp: 'fe80::1', dstIp: '::1' })[1]).toBe(40);
  });

  it('writes the time header little-endian', () => {
    const buf = encodeHep2(base);
    expect(buf.readUInt32LE(16)).toBe(1_700_000_001);
    expect(buf.readUInt32LE(20)).toBe(250_000);
    expect(buf.readUInt16LE(24)).toBe(2001);
    expect(buf.readUInt16LE(26)).toBe(0);
  });

  it('round-trips IPv4 and IPv6', () => {
    for (const addr of [{}, { srcIp: 'fe80::1', dstIp: '::1' }]) {
      const r = decodeHep(encodeHep2({ ...base, ...addr }));
      expect(r.ok && r.packet).toMatchObject({
        version: 2,
        srcIp: addr.srcIp ?? '10.0.0.1',
        dstIp: addr.dstIp ?? '10.0.0.2',
        tsSec: 1_700_000_001,
        tsUsec: 250_000,
        captureId: 2001,
      });
      expect(r.ok && r.packet.payload.equals(SIP_INVITE)).toBe(true);
    }
  });

  it('refuses a capture id that does not fit the u16 field', () => {
    expect(() => encodeHep2({ ...base, captureId: 70_000 })).toThrow(RangeError);
  });
});
