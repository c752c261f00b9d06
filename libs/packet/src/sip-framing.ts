/**
 * Scanning helpers to frame SIP messages in a TCP byte stream (RFC 3261 section 18.3): a start line,
 * headers up to an empty line, then Content-Length bytes of body. Byte scans, no strings or regexes.
 */

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;
const HEADER_END = Buffer.from('\r\n\r\n');

export const CONTENT_LENGTH_ABSENT = -1;
export const CONTENT_LENGTH_INVALID = -2;
/** Content-Length values above this are taken as invalid (no SIP message is that large). */
const MAX_CONTENT_LENGTH = 1 << 30;

/** Index just after the CRLFCRLF that ends the headers of the message at `start`, or -1. */
export function findHeaderEnd(buf: Buffer, start: number, end: number): number {
  const i = buf.indexOf(HEADER_END, start);
  return i >= 0 && i + 4 <= end ? i + 4 : -1;
}

const CONTENT_LENGTH = 'content-length';

/**
 * The Content-Length (or compact `l`) value of the header block [start, headerEnd), names matched
 * case-insensitively; CONTENT_LENGTH_ABSENT or CONTENT_LENGTH_INVALID otherwise. The first such header wins.
 */
export function contentLength(buf: Buffer, start: number, headerEnd: number): number {
  let p = buf.indexOf(LF, start);
  while (p >= 0 && p + 1 < headerEnd) {
    const line = p + 1;
    let q = line;
    const c = buf[q] | 0x20;
    if (c === 0x6c /* l */) {
      q++;
      // Either compact "l" or the long name starting with neither: only "l" then optional space and ':'.
    } else if (c === 0x63 /* c */) {
      let k = 0;
      while (k < CONTENT_LENGTH.length && q < headerEnd && (buf[q] | 0x20) === CONTENT_LENGTH.charCodeAt(k)) {
        q++;
        k++;
      }
      if (k !== CONTENT_LENGTH.length) q = -1;
    } else {
      q = -1;
    }
    if (q >= 0) {
      while (q < headerEnd && (buf[q] === SP || buf[q] === HT)) q++;
      if (q < headerEnd && buf[q] === COLON) return parseLengthValue(buf, q + 1, headerEnd);
    }
    p = buf.indexOf(LF, line);
  }
  return CONTENT_LENGTH_ABSENT;
}

function parseLengthValue(buf: Buffer, q: number, end: number): number {
  while (q < end && (buf[q] === SP || buf[q] === HT)) q++;
  let value = 0;
  let digits = 0;
  while (q < end && buf[q] >= 0x30 && buf[q] <= 0x39) {
    value = value * 10 + (buf[q] - 0x30);
    if (value > MAX_CONTENT_LENGTH) return CONTENT_LENGTH_INVALID;
    digits++;
    q++;
  }
  while (q < end && (buf[q] === SP || buf[q] === HT)) q++;
  if (digits === 0 || q >= end || buf[q] !== CR) return CONTENT_LENGTH_INVALID;
  return value;
}

/** "SIP/2.0" at `p`, case-insensitive on the letters. */
function isSipVersion(buf: Buffer, p: number): boolean {
  return (
    (buf[p] | 0x20) === 0x73 &&
    (buf[p + 1] | 0x20) === 0x69 &&
    (buf[p + 2] | 0x20) === 0x70 &&
    buf[p + 3] === 0x2f &&
    buf[p + 4] === 0x32 &&
    buf[p + 5] === 0x2e &&
    buf[p + 6] === 0x30
  );
}

/** RFC 3261 token characters (method names). */
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x21 ||
    c === 0x25 ||
    c === 0x2a ||
    c === 0x5f ||
    c === 0x2b ||
    c === 0x60 ||
    c === 0x27 ||
    c === 0x7e
  );
}

const KNOWN_METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'REGISTER',
  'OPTIONS',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'INFO',
  'REFER',
  'MESSAGE',
  'UPDATE',
].map((m) => Buffer.from(m));

/**
 * Whether [start, lineEnd) (without the CRLF) is a SIP start line: `SIP/2.0 DDD ...` or
 * `METHOD SP Request-URI SP SIP/2.0`. With `knownMethodOnly`, a request must use a standard method: used
 * where the line might be the tail of a cut-off line (the first bytes seen of a stream).
 */
export function isSipStartLine(buf: Buffer, start: number, lineEnd: number, knownMethodOnly = false): boolean {
  const n = lineEnd - start;
  if (n >= 11 && isSipVersion(buf, start) && buf[start + 7] === SP) {
    for (let i = 8; i < 11; i++) if (buf[start + i] < 0x30 || buf[start + i] > 0x39) return false;
    return n === 11 || buf[start + 11] === SP;
  }
  // Request line: the shortest is "ACK a:b SIP/2.0".
  if (n < 15 || buf[lineEnd - 8] !== SP || !isSipVersion(buf, lineEnd - 7)) return false;
  let p = start;
  while (p < lineEnd && isTokenChar(buf[p])) p++;
  if (p === start || buf[p] !== SP) return false;
  if (knownMethodOnly && !KNOWN_METHODS.some((m) => m.length === p - start && buf.compare(m, 0, m.length, start, p) === 0)) {
    return false;
  }
  const uriStart = p + 1;
  const uriEnd = lineEnd - 8;
  if (uriEnd <= uriStart) return false;
  let colon = false;
  for (let i = uriStart; i < uriEnd; i++) {
    const c = buf[i];
    if (c === SP || c === HT) return false;
    if (c === COLON) colon = true;
  }
  return colon;
}

/** Index of the end of the line at `start` without its CR (the LF position minus a CR), or -1 if incomplete. */
export function lineEndAt(buf: Buffer, start: number, end: number): number {
  const lf = buf.indexOf(LF, start);
  if (lf < 0 || lf >= end) return -1;
  return lf > start && buf[lf - 1] === CR ? lf - 1 : lf;
}

/**
 * The first position in [start, end) where a SIP start line begins: `start` itself (standard methods or
 * a status line only: it may be the middle of a line), or just after a LF. -1 when none is complete.
 */
export function findStartLine(buf: Buffer, start: number, end: number): number {
  let p = start;
  let strict = true;
  while (p < end) {
    const lf = buf.indexOf(LF, p);
    if (lf < 0 || lf >= end) return -1;
    const lineEnd = lf > p && buf[lf - 1] === CR ? lf - 1 : lf;
    if (isSipStartLine(buf, p, lineEnd, strict)) return p;
    p = lf + 1;
    strict = false;
  }
  return -1;
}

/** Index just after the last LF in [start, end), or `start` when there is none. */
export function afterLastLineFeed(buf: Buffer, start: number, end: number): number {
  const lf = buf.lastIndexOf(LF, end - 1);
  return lf >= start ? lf + 1 : start;
}
