import { describe, expect, it } from 'vitest';
import { looksLikeSip } from './looks-like-sip';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('looksLikeSip', () => {
  it.each([
    'INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n\r\n',
    'SIP/2.0 200 OK\r\n\r\n',
    'SIP/2.0 180 Ringing\n\n',
    'OPTIONS sip:10.0.0.9:5060 SIP/2.0\r\n',
    'MESSAGE tel:+15551234 SIP/2.0\r\n',
    'SIP/2.0 100\r\n',
  ])('accepts %j', (text) => {
    expect(looksLikeSip(b(text))).toBe(true);
  });

  it.each([
    '',
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\n\r\n',
    'SIP/2.0 20 OK\r\n',
    'INVITE sip:bob@example.com SIP/2.0', // no line end
    'INVITESIP/2.0\r\n',
    ' INVITE sip:b SIP/2.0\r\n',
    'INVITE sip:b SIP/3.0\r\n',
  ])('rejects %j', (text) => {
    expect(looksLikeSip(b(text))).toBe(false);
  });

  it('rejects binary data and a DNS query', () => {
    expect(looksLikeSip(Buffer.from([0x4f, 0x21, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x70, 0x62, 0x78, 0x0a]))).toBe(false);
    expect(looksLikeSip(Buffer.from([0x80, 0x00, 0x12, 0x34, 0x0a]))).toBe(false);
  });

  it('rejects a first line longer than a start line can be', () => {
    expect(looksLikeSip(b(`INVITE sip:${'a'.repeat(3000)}@x SIP/2.0\r\n`))).toBe(false);
  });
});
