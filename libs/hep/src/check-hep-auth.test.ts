import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkHepAuth } from './check-hep-auth';
import { encodeHep3 } from './encode-hep3';
import { encodeHep1, encodeHep2 } from './encode-hep-legacy';
import { hep3Chunk, hep3Frame } from './hep3-frame';
import { ipv4Chunks, SIP_INVITE } from './test-fixtures';

const KEY = Buffer.from('s3cret-key');
const addr = { srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5060, dstPort: 5060, payload: SIP_INVITE };

describe('checkHepAuth', () => {
  it('matches the expected key, also with trailing NULs (C strings)', () => {
    expect(checkHepAuth(encodeHep3({ ...addr, authKey: 's3cret-key' }), KEY)).toBe('match');
    expect(checkHepAuth(hep3Frame([...Object.values(ipv4Chunks()), hep3Chunk(14, Buffer.from('s3cret-key\0\0'))]), KEY)).toBe('match');
    const eep3 = encodeHep3({ ...addr, authKey: 's3cret-key' });
    eep3.write('EEP3', 0, 'latin1');
    expect(checkHepAuth(eep3, KEY)).toBe('match');
  });

  it('tells a wrong key (other bytes, shorter, longer, empty) from a missing one', () => {
    expect(checkHepAuth(encodeHep3({ ...addr, authKey: 's3cret-kez' }), KEY)).toBe('wrong');
    expect(checkHepAuth(encodeHep3({ ...addr, authKey: 's3cret' }), KEY)).toBe('wrong');
    expect(checkHepAuth(encodeHep3({ ...addr, authKey: 's3cret-key-and-more' }), KEY)).toBe('wrong');
    expect(checkHepAuth(hep3Frame([...Object.values(ipv4Chunks()), hep3Chunk(14, [])]), KEY)).toBe('wrong');
    expect(checkHepAuth(encodeHep3(addr), KEY)).toBe('missing');
    // HEP v1/v2 cannot carry a key.
    expect(checkHepAuth(encodeHep1(addr), KEY)).toBe('missing');
    expect(checkHepAuth(encodeHep2(addr), KEY)).toBe('missing');
  });

  it('ignores a type-14 chunk of another vendor, and takes the last vendor-0 key as the decoder does', () => {
    expect(checkHepAuth(hep3Frame([...Object.values(ipv4Chunks()), hep3Chunk(14, KEY, 0x0022)]), KEY)).toBe('missing');
    expect(checkHepAuth(hep3Frame([hep3Chunk(14, KEY), ...Object.values(ipv4Chunks()), hep3Chunk(14, Buffer.from('other'))]), KEY)).toBe(
      'wrong',
    );
    expect(checkHepAuth(hep3Frame([hep3Chunk(14, Buffer.from('other')), ...Object.values(ipv4Chunks()), hep3Chunk(14, KEY)]), KEY)).toBe(
      'match',
    );
  });

  it('finds a wrong key in front of a compressed bomb without inflating it', () => {
    const bomb = hep3Chunk(16, deflateSync(Buffer.alloc(1 << 20), { level: 9 }));
    const c = ipv4Chunks();
    delete c.payload;
    const packet = hep3Frame([...Object.values(c), hep3Chunk(14, Buffer.from('guess')), bomb]);
    expect(checkHepAuth(packet, KEY)).toBe('wrong');
  });

  it('leaves broken framing and non-HEP to the decoder (unframed), never throws', () => {
    const good = encodeHep3({ ...addr, authKey: 's3cret-key' });
    expect(checkHepAuth(Buffer.alloc(0), KEY)).toBe('unframed');
    expect(checkHepAuth(Buffer.from('HEP'), KEY)).toBe('unframed');
    expect(checkHepAuth(Buffer.from('GET / HTTP/1.1\r\n'), KEY)).toBe('unframed');
    const longTotal = Buffer.from(good);
    longTotal.writeUInt16BE(good.length + 1, 4);
    expect(checkHepAuth(longTotal, KEY)).toBe('unframed');
    const shortChunk = Buffer.from(good);
    shortChunk.writeUInt16BE(3, 10); // the first chunk's length
    expect(checkHepAuth(shortChunk, KEY)).toBe('unframed');
    for (let cut = 0; cut < good.length; cut++) {
      const b = Buffer.from(good.subarray(0, cut));
      expect(() => checkHepAuth(b, KEY)).not.toThrow();
    }
  });
});
