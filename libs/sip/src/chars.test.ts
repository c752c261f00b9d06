import { describe, it, expect } from 'vitest';
import { LOWER, equalsIgnoreCase, isToken, parseDecimal, trimEnd } from './chars';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('chars', () => {
  it('lower-cases ASCII letters only', () => {
    expect(String.fromCharCode(...'AZaz09-_@['.split('').map((c) => LOWER[c.charCodeAt(0)]))).toBe('azaz09-_@[');
    expect(LOWER[0xc4]).toBe(0xc4);
  });

  it('recognises RFC 3261 tokens', () => {
    expect(isToken(bytes("INVITE-x.!%*_+`'~9"), 0, 18)).toBe(true);
    for (const bad of ['', 'A B', 'A:B', 'A"B', 'A\u00e9']) expect(isToken(bytes(bad), 0, bad.length)).toBe(false);
  });

  it('trims trailing whitespace and line ends', () => {
    expect(trimEnd(bytes('ab \t\r\n'), 0, 6)).toBe(2);
    expect(trimEnd(bytes('   '), 1, 3)).toBe(1);
  });

  it('compares ignoring ASCII case', () => {
    expect(equalsIgnoreCase(bytes('xUserNamex'), 1, 9, 'username')).toBe(true);
    expect(equalsIgnoreCase(bytes('usernam'), 0, 7, 'username')).toBe(false);
  });

  it('parses digits only and caps at the maximum', () => {
    expect(parseDecimal(bytes('3600'), 0, 4, 100000)).toBe(3600);
    expect(parseDecimal(bytes('123456789012'), 0, 12, 0xffffffff)).toBe(0xffffffff);
    expect(parseDecimal(bytes('12a'), 0, 3, 1000)).toBeUndefined();
    expect(parseDecimal(bytes(''), 0, 0, 1000)).toBeUndefined();
  });
});
