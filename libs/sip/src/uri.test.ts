import { describe, it, expect } from 'vitest';
import { latin1Text } from './latin1-text';
import { findParam } from './params';
import { isWildcard, parseNameAddr, parseUri } from './uri';

const uri = (s: string) => parseUri(latin1Text(s), 0, s.length);

function nameAddr(s: string) {
  const t = latin1Text(s);
  const na = parseNameAddr(t, 0, s.length);
  if (na === undefined) return undefined;
  return {
    ...na.uri,
    uri: s.substring(na.uriStart, na.uriEnd),
    params: s.substring(na.paramsStart, na.paramsEnd),
    tag: findParam(t, na.paramsStart, na.paramsEnd, 'tag'),
    rest: s.substring(na.end),
  };
}

describe('parseUri', () => {
  it('splits a SIP URI into user, host and port, leaving out parameters and headers', () => {
    expect(uri('sip:alice@atlanta.example.com:5061;transport=tcp;lr?Subject=hi')).toEqual({
      scheme: 'sip',
      user: 'alice',
      host: 'atlanta.example.com',
      port: 5061,
      userStart: 4,
      hostStart: 10,
    });
  });

  it('handles sips, the scheme in any case, and a URI without user', () => {
    expect(uri('SIPS:bob@biloxi.example.com')).toEqual({
      scheme: 'sips',
      user: 'bob',
      host: 'biloxi.example.com',
      port: 0,
      userStart: 5,
      hostStart: 9,
    });
    expect(uri('sip:proxy.example.com;lr')).toEqual({
      scheme: 'sip',
      user: '',
      host: 'proxy.example.com',
      port: 0,
      userStart: -1,
      hostStart: 4,
    });
  });

  it('drops the password from the userinfo', () => {
    expect(uri('sip:alice:secret@atlanta.example.com')).toMatchObject({ user: 'alice', host: 'atlanta.example.com' });
  });

  it('keeps escapes and user parameters as written', () => {
    expect(uri('sip:al%20ice@h')?.user).toBe('al%20ice');
    expect(uri('sip:+15551234;phone-context=example.com@gw.example.com;user=phone')).toMatchObject({
      user: '+15551234;phone-context=example.com',
      host: 'gw.example.com',
    });
  });

  it('keeps an IPv6 host in its brackets, as Kamailio parse_uri does, and reads the port after them', () => {
    expect(uri('sip:alice@[2001:db8::1]:5060;transport=udp')).toEqual({
      scheme: 'sip',
      user: 'alice',
      host: '[2001:db8::1]',
      port: 5060,
      userStart: 4,
      hostStart: 10,
    });
    expect(uri('sip:[::1]')).toEqual({ scheme: 'sip', user: '', host: '[::1]', port: 0, userStart: -1, hostStart: 4 });
    expect(uri('sips:bob@[fe80::1%25eth0];transport=tls')).toMatchObject({ host: '[fe80::1%25eth0]', port: 0 });
  });

  it('refuses an IPv6 reference that is empty or not closed', () => {
    expect(uri('sip:alice@[]:5060')).toBeUndefined();
    expect(uri('sip:alice@[2001:db8::1:5060')).toBeUndefined();
  });

  it('takes the number of a tel: URI as user, without its parameters', () => {
    expect(uri('tel:+1-555-123-4567;phone-context=example.com')).toEqual({
      scheme: 'tel',
      user: '+1-555-123-4567',
      host: '',
      port: 0,
      userStart: 4,
      hostStart: -1,
    });
    expect(uri('TEL:911')).toMatchObject({ scheme: 'tel', user: '911' });
  });

  it('gives no user or host for other schemes', () => {
    expect(uri('urn:service:sos')).toEqual({ scheme: 'urn', user: '', host: '', port: 0, userStart: -1, hostStart: -1 });
  });

  it('tells where user and host lie, so that their bytes can be copied', () => {
    // [text, where the URI starts, where it ends]
    const cases: [string, number, number][] = [
      ['<sip:alice:pw@[2001:db8::1]:5060>', 1, 33],
      ['x sip:+1555@gw.example.com;user=phone', 2, 37],
      ['tel:911;ext=1', 0, 13],
      ['sip:host.only', 0, 13],
    ];
    for (const [text, start, end] of cases) {
      const u = parseUri(latin1Text(text), start, end);
      expect(u, text).toBeDefined();
      if (u === undefined) continue;
      expect(u.userStart < 0 ? '' : text.substr(u.userStart, u.user.length), text).toBe(u.user);
      expect(u.hostStart < 0 ? '' : text.substr(u.hostStart, u.host.length), text).toBe(u.host);
      expect(u.user.length > 0 || u.host.length > 0, text).toBe(true);
    }
  });

  it('treats a port that is not a port as not written', () => {
    expect(uri('sip:a@h:99999')?.port).toBe(0);
    expect(uri('sip:a@h:')?.port).toBe(0);
  });

  it.each(['alice@example.com', 'sip:', 'sip:alice@', 'sip:alice@[2001:db8::1', 'tel:', '', '5060:x'])('rejects %j', (s) => {
    expect(uri(s)).toBeUndefined();
  });

  it('parses only inside the given range', () => {
    const s = 'xx<sip:a@h:5060>yy';
    expect(parseUri(latin1Text(s), 3, 15)).toEqual({ scheme: 'sip', user: 'a', host: 'h', port: 5060, userStart: 7, hostStart: 9 });
  });
});

describe('parseNameAddr', () => {
  it('parses a quoted display name, the URI in brackets and the header parameters', () => {
    expect(nameAddr('"Alice, \\"A\\" <x>" <sip:alice@atlanta.example.com;transport=tcp>;tag=1928301774')).toMatchObject({
      user: 'alice',
      host: 'atlanta.example.com',
      uri: 'sip:alice@atlanta.example.com;transport=tcp',
      params: ';tag=1928301774',
      tag: '1928301774',
    });
  });

  it('parses token display names and bare brackets', () => {
    expect(nameAddr('Bob Smith <sip:bob@biloxi.example.com>')).toMatchObject({ user: 'bob', tag: undefined });
    expect(nameAddr('  <sip:carol@chicago.example.com> ;tag = 88 ')).toMatchObject({ user: 'carol', tag: '88' });
  });

  it('gives the parameters after an addr-spec to the header, not to the URI', () => {
    expect(nameAddr('sip:alice@atlanta.example.com;tag=abc')).toMatchObject({
      user: 'alice',
      host: 'atlanta.example.com',
      uri: 'sip:alice@atlanta.example.com',
      tag: 'abc',
    });
  });

  it('keeps URI parameters inside brackets away from the header parameters', () => {
    expect(nameAddr('<sip:a@h;tag=inside>;tag=outside')?.tag).toBe('outside');
    expect(nameAddr('<sip:a@h;tag=inside>')?.tag).toBeUndefined();
  });

  it('stops at the first element of a list', () => {
    expect(nameAddr('<sip:a@h1>;expires=60, <sip:b@h2>')).toMatchObject({
      user: 'a',
      host: 'h1',
      params: ';expires=60',
      rest: ', <sip:b@h2>',
    });
    expect(nameAddr('sip:a@h1, sip:b@h2')).toMatchObject({ user: 'a', host: 'h1', rest: ', sip:b@h2' });
  });

  it('does not split at commas inside brackets or quotes', () => {
    expect(nameAddr('"Doe, John" <sip:j@h?x=a,b>, <sip:c@d>')).toMatchObject({ user: 'j', rest: ', <sip:c@d>' });
  });

  it('parses IPv6 and tel: URIs inside brackets', () => {
    expect(nameAddr('<sip:bob@[2001:db8::5]:5070>')).toMatchObject({ user: 'bob', host: '[2001:db8::5]', port: 5070 });
    expect(nameAddr('<tel:+15551234567>;tag=t')).toMatchObject({ scheme: 'tel', user: '+15551234567', tag: 't' });
  });

  it('accepts unquoted display names holding characters a token may not', () => {
    expect(nameAddr('Support: Tier 1 <sip:help@example.com>;tag=s1')).toMatchObject({ user: 'help', tag: 's1' });
    expect(nameAddr('alice@home <sip:alice@example.com>')).toMatchObject({ user: 'alice', host: 'example.com' });
  });

  it.each(['', '   ', '"unclosed <sip:a@b>', '"Alice" sip:a@b', '<sip:a@b', 'Alice', '<alice@example.com>', 'x: y <nouri>'])(
    'rejects %j',
    (s) => {
      expect(nameAddr(s)).toBeUndefined();
    },
  );
});

describe('isWildcard', () => {
  const w = (s: string) => isWildcard(latin1Text(s), 0, s.length);
  it('recognises the * Contact', () => {
    expect(w('*')).toBe(true);
    expect(w('  * ')).toBe(true);
  });
  it('does not take URIs or other text for it', () => {
    expect(w('<sip:*@h>')).toBe(false);
    expect(w('*x')).toBe(false);
    expect(w('')).toBe(false);
  });
});
