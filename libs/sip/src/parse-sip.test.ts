import { describe, it, expect } from 'vitest';
import { parseSip, SipParser } from './parse-sip';
import type { SipMessage } from './sip-message';
import { SipText } from './sip-text';

const crlf = (lines: string[], body = '') => Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'utf8');

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold',
  'Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKsecondline',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com:5070;transport=tcp>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
];

function ok(msg: Buffer, extraHeaders?: readonly string[]): SipMessage {
  const r = parseSip(msg, extraHeaders && { extraHeaders });
  if (!r.ok) throw new Error(`expected a valid message, got ${r.reason}: ${r.message}`);
  return r.sip;
}

describe('parseSip', () => {
  it('derives the request fields', () => {
    const msg = crlf(INVITE, 'v=0\r');
    const sip = ok(msg);
    expect(sip).toMatchObject({
      isRequest: true,
      method: 'INVITE',
      statusCode: 0,
      reason: '',
      ruri: 'sip:bob@biloxi.example.com',
      ruriUser: 'bob',
      ruriHost: 'biloxi.example.com',
      from: { user: 'alice', host: 'atlanta.example.com', tag: '1928301774' },
      to: { user: 'bob', host: 'biloxi.example.com', tag: '' },
      contact: { user: 'alice', host: 'pc33.atlanta.example.com', port: 5070, expires: undefined },
      callId: 'a84b4c76e66710@pc33.atlanta.example.com',
      via1: 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKold',
      via1Branch: 'z9hG4bK776asdhds',
      cseq: '314159 INVITE',
      cseqMethod: 'INVITE',
      contentType: 'application/sdp',
      pidUser: '',
      authorization: '',
      proxyAuthorization: '',
      authUsername: '',
      expires: undefined,
    });
    expect(msg.subarray(sip.bodyOffset).toString()).toBe('v=0\r');
  });

  it('derives the reply fields', () => {
    const msg = crlf(['SIP/2.0 200 OK', ...INVITE.slice(1)]);
    const sip = ok(msg);
    expect(sip).toMatchObject({
      isRequest: false,
      method: '',
      statusCode: 200,
      reason: 'OK',
      ruri: '',
      ruriUser: '',
      cseqMethod: 'INVITE',
    });
  });

  it('reads compact header forms', () => {
    const msg = crlf([
      'BYE sip:bob@192.0.2.4 SIP/2.0',
      'v: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKc',
      'f: <sip:alice@a.example.com>;tag=f1',
      't: <sip:bob@b.example.com>;tag=t1',
      'i: compact-call-id',
      'CSeq: 2 BYE',
      'm: <sip:alice@192.0.2.1>',
      'c: text/plain',
      'l: 0',
    ]);
    expect(ok(msg)).toMatchObject({
      callId: 'compact-call-id',
      via1Branch: 'z9hG4bKc',
      from: { user: 'alice', tag: 'f1' },
      to: { user: 'bob', tag: 't1' },
      contact: { user: 'alice', host: '192.0.2.1' },
      contentType: 'text/plain',
    });
  });

  it('skips CRLFs before the start line', () => {
    expect(ok(Buffer.concat([Buffer.from('\r\n\r\n'), crlf(INVITE)])).method).toBe('INVITE');
  });

  it('reports a keep-alive or empty datagram as empty', () => {
    for (const b of [Buffer.alloc(0), Buffer.from('\r\n\r\n')]) {
      const r = parseSip(b);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toBe('empty');
    }
  });

  it('rejects what is not SIP, keeping the headers it found', () => {
    const r = parseSip(Buffer.from('GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8\r\n\r\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('bad_start_line');
    expect(r.partial.userAgent).toBe('curl/8');
    expect(r.partial.method).toBe('');
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    for (let i = 0; i < 500; i++) {
      const b = Buffer.alloc(1 + (i % 300));
      for (let j = 0; j < b.length; j++) b[j] = (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
      expect(() => parseSip(b, { extraHeaders: ['X-CID'] })).not.toThrow();
    }
  });

  it('never throws on damaged copies of a real message, and keeps a result shape', () => {
    const base = crlf([...INVITE, 'P-Asserted-Identity: "A" <sip:a@h>', 'Authorization: Digest username="u"', 'Expires: 10'], 'v=0');
    const specials = [0x0d, 0x0a, 0x20, 0x3a, 0x3b, 0x2c, 0x3c, 0x3e, 0x22, 0x40, 0x5b, 0x5d, 0x5c, 0x09, 0xc3, 0xff];
    let seed = 11;
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 1 + rand(6); k++) b[rand(b.length)] = specials[rand(specials.length)];
      const cut = b.subarray(0, rand(4) === 0 ? rand(b.length) : b.length);
      const r = parseSip(cut, { extraHeaders: ['X-CID'] });
      const sip = r.ok ? r.sip : r.partial;
      expect(typeof sip.callId).toBe('string');
      expect(sip.bodyOffset).toBeLessThanOrEqual(cut.length);
    }
  });

  it('names the missing mandatory headers and fills the partial message', () => {
    const msg = crlf(INVITE.filter((l) => !l.startsWith('From') && !l.startsWith('CSeq')));
    const r = parseSip(msg);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('missing_header');
    expect(r.message).toContain('From');
    expect(r.message).toContain('CSeq');
    expect(r.message).not.toContain('Via');
    expect(r.partial).toMatchObject({ method: 'INVITE', callId: 'a84b4c76e66710@pc33.atlanta.example.com', to: { user: 'bob' } });
  });

  it('rejects a From without a valid URI as a bad header', () => {
    const msg = crlf(INVITE.map((l) => (l.startsWith('From') ? 'From: alice;tag=1' : l)));
    const r = parseSip(msg);
    expect(r.ok || r.reason).toBe('bad_header');
  });

  it('rejects a CSeq that is not "number method"', () => {
    const r = parseSip(crlf(INVITE.map((l) => (l.startsWith('CSeq') ? 'CSeq: INVITE' : l))));
    expect(r.ok || r.reason).toBe('bad_header');
  });

  it('joins folded header lines', () => {
    const msg = crlf([
      ...INVITE.filter((l) => !l.startsWith('From')),
      'From: "Alice"\r\n   <sip:alice@atlanta.example.com>\r\n\t;tag=folded',
      'User-Agent: Soft\r\n phone/1.0',
    ]);
    expect(ok(msg)).toMatchObject({ from: { user: 'alice', host: 'atlanta.example.com', tag: 'folded' }, userAgent: 'Soft phone/1.0' });
  });

  it('takes the first Contact of a multi-value line and its expires parameter', () => {
    const msg = crlf([
      ...INVITE.filter((l) => !l.startsWith('Contact')),
      'Contact: <sip:a@h1:5062>;expires=120;q=0.5, <sip:b@h2>;expires=60',
      'Contact: <sip:c@h3>',
    ]);
    expect(ok(msg).contact).toEqual({ user: 'a', host: 'h1', port: 5062, expires: 120 });
  });

  it('gives user * for the wildcard Contact', () => {
    const msg = crlf([...INVITE.filter((l) => !l.startsWith('Contact')), 'Contact: *', 'Expires: 0']);
    expect(ok(msg)).toMatchObject({ contact: { user: '*', host: '', port: 0 }, expires: 0 });
  });

  it('reads Expires as delta-seconds only', () => {
    const withExpires = (v: string) => ok(crlf([...INVITE, `Expires: ${v}`])).expires;
    expect(withExpires('3600')).toBe(3600);
    expect(withExpires('99999999999')).toBe(0xffffffff);
    expect(withExpires('Thu, 01 Dec 1994 16:00:00 GMT')).toBeUndefined();
  });

  it('takes pid_user from P-Asserted-Identity, then P-Preferred-Identity, then Remote-Party-ID', () => {
    const rpid = 'Remote-Party-ID: "R" <sip:rpid@h>;party=calling';
    const ppi = 'P-Preferred-Identity: <sip:ppi@h>';
    const pai = 'P-Asserted-Identity: "Alice" <tel:+15551234567>, <sip:alice@h>';
    expect(ok(crlf([...INVITE, rpid, ppi, pai])).pidUser).toBe('+15551234567');
    expect(ok(crlf([...INVITE, rpid, ppi])).pidUser).toBe('ppi');
    expect(ok(crlf([...INVITE, rpid])).pidUser).toBe('rpid');
  });

  it('takes the digest username of Proxy-Authorization before Authorization', () => {
    const auth = 'Authorization: Digest username="alice", realm="a", nonce="n", uri="sip:a", response="r"';
    const proxy = 'Proxy-Authorization: Digest username="alice.proxy@atlanta.example.com", realm="p", nonce="n", uri="sip:a", response="r"';
    const both = ok(crlf([...INVITE, auth, proxy]));
    expect(both.authUsername).toBe('alice.proxy@atlanta.example.com');
    expect(both.authorization).toBe(auth.slice('Authorization: '.length));
    expect(both.proxyAuthorization).toBe(proxy.slice('Proxy-Authorization: '.length));
    expect(ok(crlf([...INVITE, auth])).authUsername).toBe('alice');
  });

  it('takes rtp_stat from the first present header in priority order, not message order', () => {
    const sip = ok(crlf([...INVITE, 'RTP-RxStat: Dur=10', 'X-RTP-Stat: PS=100', 'P-RTP-Stat: PS=1']));
    expect(sip.rtpStat).toBe('PS=100');
  });

  it('collects extra headers in the same pass, keyed by lower-case full name', () => {
    const extra = ['X-CID', 'Subject', 'User-Agent', 'X-Absent'];
    const sip = ok(crlf([...INVITE, 'x-cid: aleg-1@h', 's: compact subject', 'User-Agent: UA/1']), extra);
    expect([...sip.extra]).toEqual([
      ['x-cid', 'aleg-1@h'],
      ['subject', 'compact subject'],
      ['user-agent', 'UA/1'],
    ]);
    expect(sip.userAgent).toBe('UA/1');
  });

  it('decodes UTF-8 header text and keeps invalid bytes as latin1 characters', () => {
    const utf8 = Buffer.concat([
      Buffer.from(INVITE.filter((l) => !l.startsWith('From') && !l.startsWith('Content')).join('\r\n') + '\r\n'),
      Buffer.from('From: "Jürgen" <sip:jürgen@münchen.example>;tag=ü\r\nUser-Agent: ', 'utf8'),
      Buffer.from([0x41, 0xe9, 0x42]), // latin1 'AéB': not UTF-8
      Buffer.from('\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0x00]),
    ]);
    const sip = ok(utf8);
    expect(sip.from).toEqual({ user: 'jürgen', host: 'münchen.example', tag: 'ü' });
    expect(sip.userAgent).toBe('A\u00e9B');
    expect(sip.callId).toBe('a84b4c76e66710@pc33.atlanta.example.com');
  });

  it('finds the header end of a message larger than the decode-whole limit', () => {
    const body = 'x'.repeat(10_000);
    const msg = crlf([...INVITE.filter((l) => !l.startsWith('Content-Length')), `Content-Length: ${body.length}`], body);
    const sip = ok(msg);
    expect(msg.length - sip.bodyOffset).toBe(body.length);
  });

  it('reads a message with bare LF line ends', () => {
    const msg = Buffer.from(INVITE.join('\n') + '\n\nbody');
    const sip = ok(msg);
    expect(sip.callId).toBe('a84b4c76e66710@pc33.atlanta.example.com');
    expect(msg.subarray(sip.bodyOffset).toString()).toBe('body');
  });

  it('parses the user of a tel: Request-URI and an IPv6 Contact', () => {
    const msg = crlf([
      'INVITE tel:+15551234567;phone-context=example.com SIP/2.0',
      ...INVITE.slice(1).filter((l) => !l.startsWith('Contact')),
      'Contact: <sip:bob@[2001:db8::5]:5070>',
    ]);
    expect(ok(msg)).toMatchObject({
      ruri: 'tel:+15551234567;phone-context=example.com',
      ruriUser: '+15551234567',
      ruriHost: '',
      contact: { host: '[2001:db8::5]', port: 5070 },
    });
  });

  describe('textAt', () => {
    /** Each SipText field's value in a parsed message. */
    const FIELDS: Record<keyof typeof SipText, (m: SipMessage) => string> = {
      METHOD: (m) => m.method,
      REASON: (m) => m.reason,
      RURI: (m) => m.ruri,
      RURI_USER: (m) => m.ruriUser,
      RURI_HOST: (m) => m.ruriHost,
      FROM_USER: (m) => m.from.user,
      FROM_HOST: (m) => m.from.host,
      FROM_TAG: (m) => m.from.tag,
      TO_USER: (m) => m.to.user,
      TO_HOST: (m) => m.to.host,
      TO_TAG: (m) => m.to.tag,
      PID_USER: (m) => m.pidUser,
      CONTACT_USER: (m) => m.contact.user,
      CONTACT_HOST: (m) => m.contact.host,
      AUTHORIZATION: (m) => m.authorization,
      PROXY_AUTHORIZATION: (m) => m.proxyAuthorization,
      AUTH_USERNAME: (m) => m.authUsername,
      CALL_ID: (m) => m.callId,
      VIA1: (m) => m.via1,
      VIA1_BRANCH: (m) => m.via1Branch,
      CSEQ: (m) => m.cseq,
      DIVERSION: (m) => m.diversion,
      REASON_HEADER: (m) => m.reasonHeader,
      CONTENT_TYPE: (m) => m.contentType,
      USER_AGENT: (m) => m.userAgent,
      RTP_STAT: (m) => m.rtpStat,
    };

    /** The fields located in msg; fails when a located offset does not hold exactly the field's bytes. */
    function located(msg: Buffer, sip: SipMessage): string[] {
      expect(sip.textIn).toBe(msg);
      const found: string[] = [];
      for (const [name, field] of Object.entries(SipText) as [keyof typeof SipText, number][]) {
        const at = sip.textAt![field];
        const value = FIELDS[name](sip);
        if (at < 0) continue;
        expect(msg.toString('latin1', at, at + value.length), name).toBe(value);
        found.push(name);
      }
      return found;
    }

    it('tells where every field of a request lies in the message', () => {
      const msg = crlf([
        'INVITE tel:+15551234567;phone-context=example.com SIP/2.0',
        ...INVITE.slice(1).filter((l) => !l.startsWith('Contact') && !l.startsWith('From')),
        'f: "A" <sip:alice@atlanta.example.com>;tag="quoted-tag"',
        'Contact: <sip:bob@[2001:db8::5]:5070>;expires=60',
        'P-Asserted-Identity: "Alice" <sip:+15550001111@atlanta.example.com>',
        'Proxy-Authorization: Digest realm="p", username="carol@atlanta.example.com", nonce="n"',
        'Diversion: <sip:+1555@h>;reason=unconditional',
        'Reason: Q.850;cause=16',
        'User-Agent: UA/1',
        'X-RTP-Stat: PS=1',
      ]);
      const sip = ok(msg);
      expect(located(msg, sip).sort()).toEqual(
        Object.keys(SipText)
          .filter((k) => !['REASON', 'AUTHORIZATION', 'TO_TAG', 'RURI_HOST'].includes(k))
          .sort(),
      ); // what the message has
      expect(sip.from.tag).toBe('quoted-tag');
    });

    it('tells where the reason phrase of a reply lies', () => {
      const msg = crlf(['SIP/2.0 486 Busy Here', ...INVITE.slice(1), 'Authorization: Digest username="bob"']);
      const sip = ok(msg);
      expect(located(msg, sip)).toEqual(expect.arrayContaining(['REASON', 'AUTHORIZATION', 'AUTH_USERNAME', 'CALL_ID', 'CSEQ']));
      expect(located(msg, sip)).not.toContain('METHOD');
    });

    it('locates no value joined from folded lines, nor a username with escapes resolved', () => {
      const msg = crlf([
        ...INVITE.filter((l) => !l.startsWith('From') && !l.startsWith('Call-ID')),
        'Call-ID: folded\r\n  call-id',
        'From: "Alice"\r\n   <sip:alice@atlanta.example.com>;tag=f',
        'Authorization: Digest username="al\\"ice"',
      ]);
      const sip = ok(msg);
      expect([sip.callId, sip.from.user, sip.from.tag, sip.authUsername]).toEqual(['folded call-id', 'alice', 'f', 'al"ice']);
      for (const f of ['CALL_ID', 'FROM_USER', 'FROM_HOST', 'FROM_TAG', 'AUTH_USERNAME'] as const)
        expect(sip.textAt![SipText[f]], f).toBe(-1);
      expect(located(msg, sip)).toContain('AUTHORIZATION');
    });

    it('is there when only the body is not ASCII, and not when the header section is', () => {
      const bodyOnly = crlf(INVITE, 'Grüße');
      expect(located(bodyOnly, ok(bodyOnly))).toContain('CALL_ID');
      const header = crlf([...INVITE, 'User-Agent: Grüße']);
      const sip = ok(header);
      expect(sip.userAgent).toBe('Grüße');
      expect(sip.textAt).toBeUndefined();
      expect(sip.textIn).toBeUndefined();
    });
  });
});

describe('SipParser', () => {
  it('each parser keeps its own extra headers and scratch: instances used in turn do not see each other', () => {
    const m = crlf([...INVITE, 'X-A: one', 'X-B: two']);
    const a = new SipParser({ extraHeaders: ['X-A'] });
    const b = new SipParser({ extraHeaders: ['X-B'] });
    const plain = new SipParser();
    for (let i = 0; i < 2; i++) {
      const ra = a.parse(m);
      const rb = b.parse(m);
      const rp = plain.parse(m);
      expect(ra.ok && [...ra.sip.extra]).toEqual([['x-a', 'one']]);
      expect(rb.ok && [...rb.sip.extra]).toEqual([['x-b', 'two']]);
      expect(rp.ok && rp.sip.extra.size).toBe(0);
      // The same fields from each, parsed with the others in between.
      if (ra.ok && rb.ok) expect({ ...ra.sip, extra: undefined }).toEqual({ ...rb.sip, extra: undefined });
    }
  });
});
