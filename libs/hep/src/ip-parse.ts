/**
 * Text IP addresses to bytes, for the encoders (forwarding, replay, tests).
 * Each parser writes into `out` at `off` and returns false (leaving `out` partly written) on bad text.
 */

const DOT = 0x2e;
const COLON = 0x3a;

/** Parses a dotted quad ("192.0.2.1"; no leading zeros beyond "0", no octet above 255) into 4 bytes. */
export function parseIpv4(text: string, out: Uint8Array, off: number): boolean {
  return parseDottedQuad(text, 0, text.length, out, off);
}

function parseDottedQuad(text: string, start: number, end: number, out: Uint8Array, off: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || part > 3) return false;
      out[off + part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return false; // leading zero: "01" is ambiguous (octal in inet_aton)
      value = value * 10 + (c - 0x30);
      if (value > 255) return false;
      digits++;
    } else {
      return false;
    }
  }
  return part === 4;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Parses IPv6 text (RFC 4291 section 2.2: groups of 1-4 hex digits, at most one `::`, an optional
 * trailing dotted quad) into 16 bytes. Zone ids (`%eth0`) are rejected: HEP has no place for them.
 */
export function parseIpv6(text: string, out: Uint8Array, off: number): boolean {
  const n = text.length;
  if (n < 2) return false;
  const groups: number[] = [];
  let gap = -1; // index in `groups` where `::` stands
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
    if (i === n) return fill(groups, gap, out, off);
  }
  while (i < n) {
    // One group, or a dotted quad at the very end.
    let value = 0;
    let digits = 0;
    let j = i;
    while (j < n) {
      const d = hexDigit(text.charCodeAt(j));
      if (d < 0) break;
      value = (value << 4) | d;
      digits++;
      j++;
    }
    if (j < n && text.charCodeAt(j) === DOT) {
      const quad = new Uint8Array(4);
      if (!parseDottedQuad(text, i, n, quad, 0)) return false;
      groups.push((quad[0] << 8) | quad[1], (quad[2] << 8) | quad[3]);
      break;
    }
    if (digits === 0 || digits > 4) return false;
    groups.push(value);
    if (groups.length > 8) return false;
    if (j === n) break;
    if (text.charCodeAt(j) !== COLON) return false;
    j++;
    if (j < n && text.charCodeAt(j) === COLON) {
      if (gap >= 0) return false; // a second ::
      gap = groups.length;
      j++;
      if (j === n) break;
    } else if (j === n) {
      return false; // trailing single colon
    }
    i = j;
  }
  return fill(groups, gap, out, off);
}

function fill(groups: number[], gap: number, out: Uint8Array, off: number): boolean {
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return false;
  const zeros = 8 - groups.length;
  let g = 0;
  for (let k = 0; k < groups.length; k++) {
    if (k === gap) g += zeros;
    out[off + g * 2] = groups[k] >>> 8;
    out[off + g * 2 + 1] = groups[k] & 0xff;
    g++;
  }
  // Zero the gap (also when it is at the end, e.g. "1::").
  const from = gap < 0 ? 8 : gap;
  for (let z = from; z < from + (gap < 0 ? 0 : zeros); z++) {
    out[off + z * 2] = 0;
    out[off + z * 2 + 1] = 0;
  }
  return true;
}

/** Address family and size of an address in text form, or undefined when it is neither IPv4 nor IPv6. */
export function parseIp(text: string): { family: 2 | 10; bytes: Buffer } | undefined {
  const v4 = Buffer.allocUnsafe(4);
  if (parseIpv4(text, v4, 0)) return { family: 2, bytes: v4 };
  const v6 = Buffer.allocUnsafe(16);
  if (parseIpv6(text, v6, 0)) return { family: 10, bytes: v6 };
  return undefined;
}
