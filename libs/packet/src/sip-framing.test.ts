import { describe, expect, it } from 'vitest';
import { contentLength, CONTENT_LENGTH_ABSENT, CONTENT_LENGTH_INVALID, findHeaderEnd, findStartLine, isSipStartLine } from './sip-framing';

const b = (s: string) => Buffer.from(s, 'latin1');
const line = (s: string, strict = false) => isSipStartLine(b(s), 0, s.length, strict);
const length = (headers: string) => {
  const buf = b(headers);
  return contentLength(buf, 0, findHeaderEnd(buf, 0, buf.length));
};

describe('isSipStartLine', () => {
  it('accepts request and status lines', () => {
    expect(line('INVITE sip:bob@example.com SIP/2.0')).toBe(true);
    expect(line('ACK a:b SIP/2.0')).toBe(true);
    expect(line('X-CUSTOM tel:+123 sip/2.0')).toBe(true);
    expect(line('SIP/2.0 200 OK')).toBe(true);
    expect(line('SIP/2.0 180')).toBe(true);
  });

  it('rejects other lines', () => {
    expect(line('HTTP/1.1 200 OK')).toBe(false);
    expect(line('GET / HTTP/1.1')).toBe(false);
    expect(line('Via: SIP/2.0/TCP host SIP/2.0')).toBe(false);
    expect(line('INVITE sip:a b SIP/2.0')).toBe(false);
    expect(line('INVITE nocolon SIP/2.0')).toBe(false);
    expect(line('SIP/2.0 20 OK')).toBe(false);
    expect(line('SIP/2.0 200OK')).toBe(false);
    expect(line('v=0')).toBe(false);
  });

  it('with knownMethodOnly, accepts standard methods only', () => {
    expect(line('INVITE sip:b@c SIP/2.0', true)).toBe(true);
    expect(line('NVITE sip:b@c SIP/2.0', true)).toBe(false);
    expect(line('SIP/2.0 100 Trying', true)).toBe(true);
  });
});

describe('contentLength', () => {
  it('reads the long and the compact form, in any case', () => {
    expect(length('INVITE a:b SIP/2.0\r\nContent-Length: 42\r\n\r\n')).toBe(42);
    expect(length('INVITE a:b SIP/2.0\r\ncontent-length:7\r\n\r\n')).toBe(7);
    expect(length('INVITE a:b SIP/2.0\r\nCONTENT-LENGTH  :  13  \r\n\r\n')).toBe(13);
    expect(length('INVITE a:b SIP/2.0\r\nVia: x\r\nl: 5\r\n\r\n')).toBe(5);
    expect(length('INVITE a:b SIP/2.0\r\nL:0\r\n\r\n')).toBe(0);
  });

  it('does not mistake other headers for it, nor look into the body', () => {
    expect(length('INVITE a:b SIP/2.0\r\nContent-Type: x\r\nContent-Length-X: 4\r\nLocation: 3\r\n\r\n')).toBe(CONTENT_LENGTH_ABSENT);
    const withBody = b('INVITE a:b SIP/2.0\r\nVia: x\r\n\r\nContent-Length: 9\r\n');
    expect(contentLength(withBody, 0, findHeaderEnd(withBody, 0, withBody.length))).toBe(CONTENT_LENGTH_ABSENT);
  });

  it('takes the first of several', () => {
    expect(length('INVITE a:b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\n')).toBe(1);
  });

  it('reports values that are not a number', () => {
    expect(length('INVITE a:b SIP/2.0\r\nContent-Length: abc\r\n\r\n')).toBe(CONTENT_LENGTH_INVALID);
    expect(length('INVITE a:b SIP/2.0\r\nContent-Length: \r\n\r\n')).toBe(CONTENT_LENGTH_INVALID);
    expect(length('INVITE a:b SIP/2.0\r\nContent-Length: 12 3\r\n\r\n')).toBe(CONTENT_LENGTH_INVALID);
    expect(length('INVITE a:b SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n')).toBe(CONTENT_LENGTH_INVALID);
  });
});

describe('findHeaderEnd', () => {
  it('finds the end only inside [start, end)', () => {
    const buf = b('A\r\n\r\nB');
    expect(findHeaderEnd(buf, 0, buf.length)).toBe(5);
    expect(findHeaderEnd(buf, 0, 4)).toBe(-1);
    expect(findHeaderEnd(buf, 2, buf.length)).toBe(-1);
  });
});

describe('findStartLine', () => {
  it('skips the tail of a previous message to the next start line', () => {
    const buf = b('a=rtpmap:0 PCMU/8000\r\n\r\nBYE sip:x@y SIP/2.0\r\nVia: z\r\n');
    expect(findStartLine(buf, 0, buf.length)).toBe(24);
  });

  it('accepts a start line at the very beginning only for standard methods', () => {
    const known = b('REGISTER sip:x SIP/2.0\r\n');
    expect(findStartLine(known, 0, known.length)).toBe(0);
    const cut = b('GISTER sip:x SIP/2.0\r\nFOO sip:y SIP/2.0\r\n');
    expect(findStartLine(cut, 0, cut.length)).toBe(22);
  });

  it('returns -1 when no complete line is a start line', () => {
    const buf = b('x\r\nINVITE sip:a@b SIP/2');
    expect(findStartLine(buf, 0, buf.length)).toBe(-1);
  });
});
