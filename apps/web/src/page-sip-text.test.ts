// The page's message splitting (apps/web/page/sip-text.ts).
import { describe, expect, it } from 'vitest';
import { base64Bytes, messageText, splitSip } from '../page/sip-text';

describe('splitSip', () => {
  it('sets the start line, the headers and the body apart', () => {
    const p = splitSip(
      'INVITE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nSubject: a\r\n  folded\r\nX-Evil: <script>x</script>\r\n\r\nv=0\r\ns=-\r\n',
    );
    expect(p.startLine).toBe('INVITE sip:b@x SIP/2.0');
    expect(p.headers).toEqual([
      { name: 'Via', value: 'SIP/2.0/UDP h' },
      { name: 'Subject', value: 'a\n  folded' },
      { name: 'X-Evil', value: '<script>x</script>' },
    ]);
    expect(p.body).toBe('v=0\r\ns=-\r\n');
  });

  it('handles bare LF and a message without a body or blank line', () => {
    expect(splitSip('SIP/2.0 200 OK\nCSeq: 1 BYE\n\n')).toEqual({
      startLine: 'SIP/2.0 200 OK',
      headers: [{ name: 'CSeq', value: '1 BYE' }],
      body: '',
    });
    expect(splitSip('SIP/2.0 200 OK\r\nbroken line')).toEqual({
      startLine: 'SIP/2.0 200 OK',
      headers: [{ name: '', value: 'broken line' }],
      body: '',
    });
  });
});

describe('message bytes', () => {
  it('decodes base64 to the exact bytes and shows invalid UTF-8 as U+FFFD', () => {
    const bytes = Buffer.from([0x4f, 0x4b, 0xff, 0x00, 0xc3, 0xa9]);
    const back = base64Bytes(bytes.toString('base64'));
    expect(Buffer.from(back).equals(bytes)).toBe(true);
    expect(messageText(back)).toBe('OK\uFFFD\u0000é');
  });
});
