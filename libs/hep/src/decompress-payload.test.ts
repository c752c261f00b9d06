import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressPayload } from './decompress-payload';

const text = Buffer.from('REGISTER sip:example.com SIP/2.0\r\n'.repeat(20));

describe('decompressPayload', () => {
  it('inflates zlib at every compression level (all zlib header variants)', () => {
    for (let level = 0; level <= 9; level++) {
      const out = decompressPayload(deflateSync(text, { level }));
      expect(Buffer.isBuffer(out) && out.equals(text)).toBe(true);
    }
  });

  it('inflates gzip', () => {
    const out = decompressPayload(gzipSync(text));
    expect(Buffer.isBuffer(out) && out.equals(text)).toBe(true);
  });

  it('refuses raw deflate and plain data: no magic', () => {
    expect(decompressPayload(deflateRawSync(text))).toMatch(/neither zlib nor gzip/);
    expect(decompressPayload(text)).toMatch(/neither zlib nor gzip/);
    expect(decompressPayload(Buffer.alloc(0))).toMatch(/too short/);
  });

  it('stops at the output bound', () => {
    expect(decompressPayload(deflateSync(Buffer.alloc(5000)), 4096)).toMatch(/cannot inflate/);
    const exact = decompressPayload(deflateSync(Buffer.alloc(4096)), 4096);
    expect(Buffer.isBuffer(exact) && exact.length).toBe(4096);
  });

  it('reports corrupt data as a message, without throwing', () => {
    const z = gzipSync(text);
    z[z.length - 5] ^= 1; // CRC-32 trailer
    expect(decompressPayload(z)).toMatch(/cannot inflate/);
  });
});
