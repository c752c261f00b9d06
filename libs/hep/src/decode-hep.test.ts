import { describe, expect, it } from 'vitest';
import { decodeHep } from './decode-hep';
import { encodeHep1, encodeHep2 } from './encode-hep-legacy';
import { encodeHep3 } from './encode-hep3';
import { HEP_ERROR_REASONS } from './hep-packet';
import { prng, SIP_INVITE } from './test-fixtures';

const sample = {
  srcIp: '10.1.2.3',
  dstIp: '10.4.5.6',
  srcPort: 5060,
  dstPort: 5060,
  tsSec: 1_700_000_000,
  tsUsec: 42,
  captureId: 7,
  authKey: 'k',
  correlationId: 'c',
  vlan: 3,
  nodeName: 'n',
  keepAlive: 9,
  payload: SIP_INVITE,
};
const valid = [
  encodeHep3(sample),
  encodeHep3({ ...sample, srcIp: '2001:db8::1', dstIp: '::ffff:10.0.0.1' }),
  encodeHep3({ ...sample, payload: Buffer.from('x'.repeat(400)), compress: true }),
  encodeHep1(sample),
  encodeHep2({ ...sample, srcIp: 'fe80::1', dstIp: 'fe80::2' }),
];

describe('decodeHep: dispatch', () => {
  it('rejects an empty datagram', () => {
    expect(decodeHep(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('rejects 1-byte datagrams', () => {
    expect(decodeHep(Buffer.from([1]))).toMatchObject({ ok: false, reason: 'truncated_header' });
    expect(decodeHep(Buffer.from([2]))).toMatchObject({ ok: false, reason: 'truncated_header' });
    expect(decodeHep(Buffer.from('H'))).toMatchObject({ ok: false, reason: 'truncated_header' });
    expect(decodeHep(Buffer.from([0]))).toMatchObject({ ok: false, reason: 'unknown_version' });
  });

  it('rejects other versions and magics', () => {
    for (const text of ['HEP2xxxxxxxx', 'HEP4xxxxxxxx', 'hep3xxxxxxxx', 'INVITE sip:a@b SIP/2.0', 'HEX', 'EEX3']) {
      expect(decodeHep(Buffer.from(text))).toMatchObject({ ok: false, reason: 'unknown_version' });
    }
    expect(decodeHep(Buffer.from([3, 16, 2, 17, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 65]))).toMatchObject({
      ok: false,
      reason: 'unknown_version',
    });
  });

  it('dispatches each version', () => {
    expect(
      valid.map((b) => {
        const r = decodeHep(b);
        return r.ok && r.packet.version;
      }),
    ).toEqual([3, 3, 3, 1, 2]);
  });

  it('gives only reasons from HEP_ERROR_REASONS', () => {
    const reasons = new Set<string>();
    const rand = prng(7);
    for (const v of valid)
      for (let n = 0; n < v.length; n += 1 + Math.floor(rand() * 5)) {
        const r = decodeHep(v.subarray(0, n));
        if (!r.ok) reasons.add(r.reason);
      }
    for (const r of reasons) expect(HEP_ERROR_REASONS).toContain(r);
  });
});

describe('decodeHep: bounds', () => {
  it('rejects every proper prefix of a valid packet and accepts only the whole one', () => {
    for (const v of valid.filter((b) => b[0] === 0x48)) {
      for (let n = 0; n < v.length; n++) {
        // Copy into an exact-size buffer so any read past the end would see undefined, not the rest of v.
        const r = decodeHep(Buffer.from(v.subarray(0, n)));
        expect(r.ok, `prefix ${n} of ${v.length}`).toBe(false);
      }
      expect(decodeHep(Buffer.from(v)).ok).toBe(true);
    }
  });

  it('HEP v1/v2: prefixes shorter than the header are rejected, longer ones are the payload cut short', () => {
    for (const v of valid.filter((b) => b[0] <= 2)) {
      const hl = v[1] + (v[0] === 2 ? 12 : 0); // the v2 time header follows the counted part
      for (let n = 0; n <= hl; n++) expect(decodeHep(Buffer.from(v.subarray(0, n))).ok).toBe(false);
      const r = decodeHep(Buffer.from(v.subarray(0, hl + 1)));
      expect(r.ok && r.packet.payload.length).toBe(1);
    }
  });

  /** Independent check that a HEP3 packet's chunks tile its declared length (readUInt16BE throws past the end). */
  function chunksTile(buf: Buffer): boolean {
    const total = buf.readUInt16BE(4);
    if (total < 6 || total > buf.length) return false;
    let off = 6;
    while (off < total) {
      if (off + 6 > total) return false;
      const len = buf.readUInt16BE(off + 4);
      if (len < 6 || off + len > total) return false;
      off += len;
    }
    return true;
  }

  /** A field read past the end of the buffer would be undefined, turning numbers into NaN. */
  function sane(r: ReturnType<typeof decodeHep>): boolean {
    if (!r.ok) return (HEP_ERROR_REASONS as readonly string[]).includes(r.reason) && r.message.length > 0;
    const p = r.packet;
    const ints = [p.family, p.ipProto, p.srcPort, p.dstPort, p.tsSec, p.tsUsec, p.payloadType, p.captureId, p.vlan ?? 0, p.keepAlive ?? 0];
    return ints.every(Number.isInteger) && p.payload.length > 0 && !p.srcIp.includes('undefined') && !p.dstIp.includes('undefined');
  }

  it('never throws and never reads past the end on random bytes (seeded)', () => {
    const rand = prng(0x5eed);
    let accepted = 0;
    let insane = 0;
    for (let i = 0; i < 20_000; i++) {
      const len = Math.floor(rand() * 200);
      const buf = Buffer.allocUnsafe(len);
      for (let j = 0; j < len; j++) buf[j] = Math.floor(rand() * 256);
      // Give a share of them a real header so the chunk walker and the v1/v2 decoder are exercised too.
      const kind = i % 4;
      if (kind === 1 && len >= 6) {
        buf.write('HEP3', 0, 'latin1');
        buf.writeUInt16BE(Math.min(len, Math.floor(rand() * 300)), 4);
      }
      if (kind === 2 && len >= 4) {
        buf[0] = 1 + (i & 1);
        buf[2] = rand() < 0.5 ? 2 : 10;
        buf[1] = (buf[2] === 2 ? 16 : 40) + (buf[0] === 2 ? 12 : 0);
      }
      const r = decodeHep(buf);
      if (r.ok) accepted++;
      if (!sane(r)) insane++;
    }
    expect(insane).toBe(0);
    expect(accepted).toBeGreaterThan(0); // the v1/v2-shaped ones with a payload
    expect(accepted).toBeLessThan(20_000);
  });

  it('never throws and never reads past the end on mutated valid packets (seeded)', () => {
    const rand = prng(0xbadc0de);
    let insane = 0;
    const reasons = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const v = Buffer.from(valid[i % valid.length]);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) v[Math.floor(rand() * v.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.3 ? Math.floor(rand() * v.length) : v.length;
      const buf = Buffer.from(v.subarray(0, cut));
      const r = decodeHep(buf);
      if (!sane(r)) insane++;
      // Accepting a packet whose chunks do not fit would mean reading fields from outside it.
      if (r.ok && r.packet.version === 3 && !chunksTile(buf)) insane++;
      if (!r.ok) reasons.add(r.reason);
    }
    expect(insane).toBe(0);
    expect(reasons.size).toBeGreaterThan(8); // the mutations reach many different checks
  });
});
