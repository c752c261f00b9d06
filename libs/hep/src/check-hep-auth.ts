import { timingSafeEqual } from 'node:crypto';
import { CHUNK_HEADER_SIZE, EEP3_MAGIC, HEP3_HEADER_SIZE, HEP3_MAGIC } from './hep3-chunk-types';

/**
 * What a cheap look at a packet says about its auth key (chunk 14):
 * - `match`: a HEP3 packet whose key equals the expected one;
 * - `missing`: a well-framed HEP3 packet without a key, or a HEP v1/v2 packet (they cannot carry one);
 * - `wrong`: a HEP3 packet with another key;
 * - `unframed`: not HEP, or a HEP3 packet whose chunk list is broken: let the decoder name what is wrong.
 */
export type HepAuthCheck = 'match' | 'missing' | 'wrong' | 'unframed';

const AUTH_KEY_CHUNK = 14;

/**
 * Checks the auth key of a HEP packet before anything costly: walks the chunk headers only (no address
 * formatting, no inflating) and compares the key in constant time (`timingSafeEqual` on equal lengths).
 * Trailing NULs of the key chunk are ignored, as the decoder ignores them. Never throws.
 */
export function checkHepAuth(buf: Buffer, expected: Buffer): HepAuthCheck {
  const n = buf.length;
  if (n === 0) return 'unframed';
  if (buf[0] === 1 || buf[0] === 2) return 'missing'; // HEP v1/v2: no place for a key
  if (n < HEP3_HEADER_SIZE) return 'unframed';
  const magic = buf[0] * 0x1000000 + ((buf[1] << 16) | (buf[2] << 8) | buf[3]);
  if (magic !== HEP3_MAGIC && magic !== EEP3_MAGIC) return 'unframed';
  const total = (buf[4] << 8) | buf[5];
  if (total < HEP3_HEADER_SIZE || total > n) return 'unframed';

  let keyStart = -1;
  let keyEnd = -1;
  for (let off = HEP3_HEADER_SIZE; off < total;) {
    if (total - off < CHUNK_HEADER_SIZE) return 'unframed';
    const len = (buf[off + 4] << 8) | buf[off + 5];
    if (len < CHUNK_HEADER_SIZE || off + len > total) return 'unframed';
    // Vendor 0, type 14; the last one wins, as in the decoder.
    if (buf[off] === 0 && buf[off + 1] === 0 && buf[off + 2] === 0 && buf[off + 3] === AUTH_KEY_CHUNK) {
      keyStart = off + CHUNK_HEADER_SIZE;
      keyEnd = off + len;
    }
    off += len;
  }
  if (keyStart < 0) return 'missing';
  while (keyEnd > keyStart && buf[keyEnd - 1] === 0) keyEnd--;
  if (keyEnd - keyStart !== expected.length) return 'wrong';
  return timingSafeEqual(buf.subarray(keyStart, keyEnd), expected) ? 'match' : 'wrong';
}
