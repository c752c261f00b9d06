import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decompressPayload, MAX_DECOMPRESSED_SIZE } from './decompress-payload';

const failure = (out: ReturnType<typeof decompressPayload>): string =>
  Buffer.isBuffer(out) ? 'inflated' : `${out.reason}: ${out.message}`;

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
    expect(failure(decompressPayload(deflateRawSync(text)))).toMatch(/^decompress: .*neither zlib nor gzip/);
    expect(failure(decompressPayload(text))).toMatch(/^decompress: .*neither zlib nor gzip/);
    expect(failure(decompressPayload(Buffer.alloc(0)))).toMatch(/^decompress: .*too short/);
  });

  it('stops at the output bound', () => {
    expect(failure(decompressPayload(deflateSync(Buffer.alloc(5000)), 4096))).toBe(
      'payload_too_large: compressed payload inflates beyond 4096 bytes',
    );
    const exact = decompressPayload(deflateSync(Buffer.alloc(4096)), 4096);
    expect(Buffer.isBuffer(exact) && exact.length).toBe(4096);
  });

  it('reports corrupt data as a message, without throwing', () => {
    const z = gzipSync(text);
    z[z.length - 5] ^= 1; // CRC-32 trailer
    expect(failure(decompressPayload(z))).toMatch(/^decompress: cannot inflate/);
  });

  it('caps a zip bomb at 64 KiB by default: zlib and gzip of 1 GiB-class ratios are refused, not inflated', () => {
    expect(MAX_DECOMPRESSED_SIZE).toBe(65_536);
    // ~1 KiB of deflate that would inflate to 1 MiB, and a 16 MiB one: both stop at the bound.
    for (const size of [1 << 20, 16 << 20]) {
      expect(failure(decompressPayload(deflateSync(Buffer.alloc(size, 0x41), { level: 9 })))).toBe(
        'payload_too_large: compressed payload inflates beyond 65536 bytes',
      );
      expect(failure(decompressPayload(gzipSync(Buffer.alloc(size, 0x41), { level: 9 })))).toMatch(/^payload_too_large/);
    }
    const exact = decompressPayload(deflateSync(Buffer.alloc(65_536, 0x41)));
    expect(Buffer.isBuffer(exact) && exact.length).toBe(65_536);
  });
});
