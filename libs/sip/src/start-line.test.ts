import { describe, it, expect } from 'vitest';
import { latin1Text } from './latin1-text';
import { isSipVersion, parseStartLine } from './start-line';

function line(s: string) {
  return parseStartLine(latin1Text(s), 0);
}

describe('parseStartLine', () => {
  it('parses a request line and gives the Request-URI range as written', () => {
    const text = 'INVITE sip:bob@biloxi.example.com;transport=tcp SIP/2.0\r\nVia: x\r\n';
    const r = parseStartLine(latin1Text(text), 0);
    expect(r.ok && r.isRequest).toBe(true);
    if (!r.ok || !r.isRequest) return;
    expect(r.method).toBe('INVITE');
    expect(text.substring(r.ruriStart, r.ruriEnd)).toBe('sip:bob@biloxi.example.com;transport=tcp');
    expect(r.next).toBe(text.indexOf('Via'));
  });

  it('parses a status line with a multi-word reason phrase', () => {
    const r = line('SIP/2.0 486 Busy Here\r\n');
    expect(r).toMatchObject({ ok: true, isRequest: false, statusCode: 486, reason: 'Busy Here' });
  });

  it('tells where the reason phrase lies', () => {
    const text = 'SIP/2.0 486 Busy Here\r\n';
    const r = parseStartLine(latin1Text(text), 0);
    expect(r.ok && !r.isRequest && text.substring(r.reasonStart, r.reasonStart + r.reason.length)).toBe('Busy Here');
  });

  it('accepts an empty reason phrase and a bare LF line end', () => {
    expect(line('SIP/2.0 200 \n')).toMatchObject({ ok: true, statusCode: 200, reason: '' });
    expect(line('SIP/2.0 180\n')).toMatchObject({ ok: true, statusCode: 180, reason: '' });
  });

  it('accepts the version in any case and extension methods', () => {
    expect(line('PUBLISH sip:p@example.com sip/2.0\r\n')).toMatchObject({ ok: true, isRequest: true, method: 'PUBLISH' });
    expect(line('X-CUSTOM.1 sip:a@b SIP/2.0\r\n')).toMatchObject({ ok: true, method: 'X-CUSTOM.1' });
  });

  it('starts at the given offset', () => {
    const text = '\r\n\r\nOPTIONS sip:x@y SIP/2.0\r\n';
    expect(parseStartLine(latin1Text(text), 4)).toMatchObject({ ok: true, method: 'OPTIONS' });
  });

  it.each([
    ['HTTP request', 'GET / HTTP/1.1\r\nHost: x\r\n'],
    ['HTTP response', 'HTTP/1.1 200 OK\r\n'],
    ['no version', 'INVITE sip:bob@example.com\r\n'],
    ['no spaces', 'INVITE\r\n'],
    ['garbage', '\x00\x01\x02\x03 \xff\xfe\r\n'],
    ['status code not 3 digits', 'SIP/2.0 20 OK\r\n'],
    ['status code too long', 'SIP/2.0 2000 OK\r\n'],
    ['status code below 100', 'SIP/2.0 099 Odd\r\n'],
    ['method with a separator', 'INV<ITE sip:a@b SIP/2.0\r\n'],
    ['empty Request-URI', 'INVITE  SIP/2.0\r\n'],
  ])('rejects %s', (_name, text) => {
    const r = line(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(0);
  });

  it('still says where the next line starts when the line is not SIP', () => {
    const text = 'GET / HTTP/1.1\r\nCall-ID: x\r\n';
    expect(line(text).next).toBe(16);
  });
});

describe('isSipVersion', () => {
  const v = (s: string) => isSipVersion(Buffer.from(s, 'latin1'), 0, s.length);
  it('accepts SIP/x.y', () => {
    expect(v('SIP/2.0')).toBe(true);
    expect(v('SIP/12.10')).toBe(true);
  });
  it('rejects others', () => {
    expect(v('SIP/2')).toBe(false);
    expect(v('SIP/2.')).toBe(false);
    expect(v('HTTP/1.1')).toBe(false);
    expect(v('SIP/2.0x')).toBe(false);
  });
});
