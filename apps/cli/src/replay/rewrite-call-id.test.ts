import { describe, expect, it } from 'vitest';
import { rewriteCallId } from './rewrite-call-id';

const msg = (headers: string[], body = '') =>
  Buffer.from(['INVITE sip:b@x SIP/2.0', ...headers].join('\r\n') + '\r\n\r\n' + body, 'latin1');

describe('rewriteCallId', () => {
  it('appends the suffix to the Call-ID value, leaving everything else byte for byte', () => {
    const m = msg(['Via: SIP/2.0/UDP h;branch=z9', 'Call-ID: abc@host', 'CSeq: 1 INVITE', 'Content-Length: 4'], 'body');
    expect(rewriteCallId(m, '-2').toString('latin1')).toBe(m.toString('latin1').replace('Call-ID: abc@host', 'Call-ID: abc@host-2'));
  });

  it('finds the compact form and any case, and keeps trailing blanks after the suffix', () => {
    expect(rewriteCallId(msg(['i: x1']), '-1').toString()).toContain('\r\ni: x1-1\r\n');
    expect(rewriteCallId(msg(['CALL-ID : x2  ']), '-1').toString()).toContain('\r\nCALL-ID : x2-1  \r\n');
    expect(rewriteCallId(msg(['call-id:x3']), '-9').toString()).toContain('\r\ncall-id:x3-9\r\n');
  });

  it('does not touch headers that merely start like Call-ID, nor the body', () => {
    const m = msg(['Call-Info: <http://x>', 'In-Reply-To: a', 'Call-ID: c'], 'Call-ID: in-body\r\n');
    const out = rewriteCallId(m, '-1').toString();
    expect(out).toContain('Call-Info: <http://x>\r\n');
    expect(out).toContain('In-Reply-To: a\r\n');
    expect(out).toContain('Call-ID: c-1\r\n');
    expect(out.endsWith('Call-ID: in-body\r\n')).toBe(true);
  });

  it('works with LF-only line ends', () => {
    const m = Buffer.from('SIP/2.0 200 OK\nCall-ID: q\nContent-Length: 0\n\n');
    expect(rewriteCallId(m, '-3').toString()).toBe('SIP/2.0 200 OK\nCall-ID: q-3\nContent-Length: 0\n\n');
  });

  it('returns the message itself when it has no Call-ID', () => {
    const m = msg(['CSeq: 1 INVITE']);
    expect(rewriteCallId(m, '-1')).toBe(m);
  });

  it('rewrites the A-leg correlation header (X-CID by default, or the names given) so legs of one loop stay linked', () => {
    const m = msg(['Call-ID: b-leg', 'X-CID: a-leg', 'X-Other: a-leg']);
    const out = rewriteCallId(m, '-4').toString();
    expect(out).toContain('\r\nCall-ID: b-leg-4\r\n');
    expect(out).toContain('\r\nX-CID: a-leg-4\r\n');
    expect(out).toContain('\r\nX-Other: a-leg\r\n');
    const named = rewriteCallId(msg(['Call-ID: c', 'x-cid: a', 'P-Leg: a']), '-1', ['P-Leg']).toString();
    expect(named).toContain('\r\nP-Leg: a-1\r\n');
    expect(named).toContain('\r\nx-cid: a\r\n');
  });
});
