import { BACKSLASH, COMMA, DQUOTE, EQUALS, HT, SP, equalsIgnoreCase } from './chars';
import type { Latin1Text } from './latin1-text';

/**
 * The `username` auth-param of the Authorization or Proxy-Authorization value at [start, end)
 * (`Digest username="alice", realm="atlanta.com", ...`, RFC 3261 §25.1 / RFC 7616), unquoted with
 * backslash escapes resolved; '' when the credentials carry none. The scheme is not checked: a
 * `username` parameter names the user whatever the scheme.
 */
export function digestUsername(t: Latin1Text, start: number, end: number): string {
  const b = t.bytes;
  let p = start;
  let c: number;
  while (p < end && ((c = b[p]) === SP || c === HT)) p++;
  // Skip the scheme token.
  while (p < end && (c = b[p]) !== SP && c !== HT) p++;
  while (p < end) {
    while (p < end && ((c = b[p]) === SP || c === HT || c === COMMA)) p++;
    const ns = p;
    while (p < end && (c = b[p]) !== EQUALS && c !== COMMA && c !== SP && c !== HT) p++;
    const ne = p;
    while (p < end && ((c = b[p]) === SP || c === HT)) p++;
    if (p >= end || b[p] !== EQUALS) continue;
    p++;
    while (p < end && ((c = b[p]) === SP || c === HT)) p++;
    const wanted = equalsIgnoreCase(b, ns, ne, 'username');
    if (p < end && b[p] === DQUOTE) {
      let out = '';
      let seg = ++p;
      for (; p < end; p++) {
        c = b[p];
        if (c === BACKSLASH && p + 1 < end) {
          if (wanted) out += t.str.substring(seg, p);
          seg = ++p;
        } else if (c === DQUOTE) break;
      }
      if (wanted) return out + t.str.substring(seg, p);
      p++;
    } else {
      const vs = p;
      while (p < end && (c = b[p]) !== COMMA && c !== SP && c !== HT) p++;
      if (wanted) return t.str.substring(vs, p);
    }
  }
  return '';
}
