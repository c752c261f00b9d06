import { describe, it, expect } from 'vitest';
import { fnv1a32 } from './fnv1a';

/** Byte-wise reference over Buffer.from(s, 'utf8'). */
function reference(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

describe('fnv1a32', () => {
  it('matches the published FNV-1a test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it.each(['a84b4c76e66710@pc33.atlanta.example.com', 'é', '€uro', '😀 call', 'mixed ü€😀 x', '\ud800 lone', 'end \udc00'])(
    'hashes the UTF-8 bytes of %j',
    (s) => {
      expect(fnv1a32(s)).toBe(reference(s));
    },
  );
});
