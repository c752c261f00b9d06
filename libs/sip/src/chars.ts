/** Character codes the scanners compare against (the text is latin1, one char per byte). */
export const HT = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const DQUOTE = 0x22;
export const STAR = 0x2a;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const SEMI = 0x3b;
export const LT = 0x3c;
export const EQUALS = 0x3d;
export const GT = 0x3e;
export const QUESTION = 0x3f;
export const AT = 0x40;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;
export const BACKSLASH = 0x5c;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** ASCII lower-casing by table: exact for every byte, unlike `c | 0x20` (which folds '_' onto DEL). */
export const LOWER = new Uint8Array(256);
for (let c = 0; c < 256; c++) LOWER[c] = c >= 0x41 && c <= 0x5a ? c + 0x20 : c;

/** RFC 3261 token characters: alphanum and - . ! % * _ + ` ' ~ */
const TOKEN = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  TOKEN[c] = alnum || "-.!%*_+`'~".includes(String.fromCharCode(c)) ? 1 : 0;
}

/** Whether b[start, end) is a non-empty run of RFC 3261 token characters. */
export function isToken(b: Uint8Array, start: number, end: number): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) if (TOKEN[b[i]] === 0) return false;
  return true;
}

/** End of b[start, end) with trailing SP/HT/CR/LF removed. */
export function trimEnd(b: Uint8Array, start: number, end: number): number {
  while (end > start) {
    const c = b[end - 1];
    if (c !== SP && c !== HT && c !== CR && c !== LF) break;
    end--;
  }
  return end;
}

/** Whether b[start, end) equals `lower` (an ASCII lower-case string) ignoring ASCII case. */
export function equalsIgnoreCase(b: Uint8Array, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if (LOWER[b[start + i]] !== lower.charCodeAt(i)) return false;
  return true;
}

/**
 * Unsigned decimal in b[start, end), digits only; undefined when empty or not all digits.
 * Values above `max` give `max` (RFC 3261 §20.19: an Expires over 2^32-1 means 2^32-1).
 */
export function parseDecimal(b: Uint8Array, start: number, end: number, max: number): number | undefined {
  if (end <= start) return undefined;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
    if (v > max) v = max;
  }
  return v;
}
