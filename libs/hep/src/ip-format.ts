/**
 * Binary IP addresses to text, for the source/destination columns.
 * Table lookups instead of per-byte toString: this runs twice for every captured packet.
 */

const DECIMAL: string[] = Array.from({ length: 256 }, (_, i) => String(i));
/** Byte as hex without leading zeros ("0", "a", "ff"). */
const HEX_SHORT: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16));
/** Byte as two hex digits ("00", "0a", "ff"). */
const HEX_PAIR: string[] = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

// Captured traffic comes from and goes to few addresses (the SBCs and proxies), so small direct-mapped
// caches return the same string again instead of building (and later collecting) a new one per packet.
// A miss costs a hash and a compare; a collision just overwrites the slot.
const CACHE4_BITS = 10;
const cache4Keys = new Int32Array(1 << CACHE4_BITS);
const cache4Text: (string | undefined)[] = new Array(1 << CACHE4_BITS).fill(undefined);
const CACHE6_BITS = 9;
const cache6Keys = new Int32Array(4 << CACHE6_BITS); // the four 32-bit words of each address
const cache6Text: (string | undefined)[] = new Array(1 << CACHE6_BITS).fill(undefined);

function word(buf: Uint8Array, off: number): number {
  return (buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3];
}

/** Dotted quad of the 4 bytes at `off`. The caller guarantees `off + 4 <= buf.length`. */
export function formatIpv4(buf: Uint8Array, off: number): string {
  const key = word(buf, off);
  const slot = Math.imul(key, 0x9e3779b1) >>> (32 - CACHE4_BITS);
  const cached = cache4Text[slot];
  if (cached !== undefined && cache4Keys[slot] === key) return cached;
  const text = DECIMAL[buf[off]] + '.' + DECIMAL[buf[off + 1]] + '.' + DECIMAL[buf[off + 2]] + '.' + DECIMAL[buf[off + 3]];
  cache4Keys[slot] = key;
  cache4Text[slot] = text;
  return text;
}

/**
 * RFC 5952 text of the 16 bytes at `off`: lowercase, no leading zeros, the longest run of two or more
 * zero groups (the first one on a tie) written as `::`, IPv4-mapped addresses as `::ffff:a.b.c.d`.
 * The caller guarantees `off + 16 <= buf.length`.
 */
export function formatIpv6(buf: Uint8Array, off: number): string {
  const w0 = word(buf, off);
  const w1 = word(buf, off + 4);
  const w2 = word(buf, off + 8);
  const w3 = word(buf, off + 12);
  const hash = w0 ^ Math.imul(w1, 0x85ebca6b) ^ Math.imul(w2, 0xc2b2ae35) ^ Math.imul(w3, 0x27d4eb2f);
  const slot = Math.imul(hash, 0x9e3779b1) >>> (32 - CACHE6_BITS);
  const k = slot * 4;
  const cached = cache6Text[slot];
  if (cached !== undefined && cache6Keys[k] === w0 && cache6Keys[k + 1] === w1 && cache6Keys[k + 2] === w2 && cache6Keys[k + 3] === w3) {
    return cached;
  }
  const text = buildIpv6(buf, off);
  cache6Keys[k] = w0;
  cache6Keys[k + 1] = w1;
  cache6Keys[k + 2] = w2;
  cache6Keys[k + 3] = w3;
  cache6Text[slot] = text;
  return text;
}

function hexGroup(hi: number, lo: number): string {
  return hi === 0 ? HEX_SHORT[lo] : HEX_SHORT[hi] + HEX_PAIR[lo];
}

function buildIpv6(buf: Uint8Array, off: number): string {
  // IPv4-mapped (::ffff:0:0/96): 80 zero bits, then 0xffff.
  if (
    buf[off + 10] === 0xff &&
    buf[off + 11] === 0xff &&
    (buf[off] |
      buf[off + 1] |
      buf[off + 2] |
      buf[off + 3] |
      buf[off + 4] |
      buf[off + 5] |
      buf[off + 6] |
      buf[off + 7] |
      buf[off + 8] |
      buf[off + 9]) ===
      0
  ) {
    return '::ffff:' + formatIpv4(buf, off + 12);
  }

  // Longest run of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    const o = off + g * 2;
    if ((buf[o] | buf[o + 1]) === 0) {
      if (runStart < 0) runStart = g;
      const len = g - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1; // a single zero group is written as 0, not ::

  let out = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      out += '::';
      g += bestLen - 1;
      continue;
    }
    if (out.length > 0 && g !== bestStart + bestLen) out += ':';
    const o = off + g * 2;
    out += hexGroup(buf[o], buf[o + 1]);
  }
  return out;
}
