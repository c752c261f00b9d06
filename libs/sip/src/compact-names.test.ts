import { describe, it, expect } from 'vitest';
import { COMPACT_HEADER_NAMES, compactFormOf, headerKey } from './compact-names';

describe('compact header names', () => {
  it('maps every compact form the contract lists', () => {
    const expected: Record<string, string> = {
      i: 'call-id',
      f: 'from',
      t: 'to',
      v: 'via',
      m: 'contact',
      c: 'content-type',
      l: 'content-length',
      k: 'supported',
      s: 'subject',
      e: 'content-encoding',
      o: 'event',
      r: 'refer-to',
      b: 'referred-by',
      x: 'session-expires',
      u: 'allow-events',
      a: 'accept-contact',
      j: 'reject-contact',
      d: 'request-disposition',
    };
    for (const [letter, name] of Object.entries(expected)) expect(COMPACT_HEADER_NAMES[letter]).toBe(name);
  });

  it('finds the compact letter of a full name', () => {
    expect(compactFormOf('call-id')).toBe('i');
    expect(compactFormOf('contact')).toBe('m');
    expect(compactFormOf('x-cid')).toBeUndefined();
  });

  it('keys header names in lower case with compact forms expanded', () => {
    expect(headerKey('X-CID')).toBe('x-cid');
    expect(headerKey(' User-Agent ')).toBe('user-agent');
    expect(headerKey('I')).toBe('call-id');
    expect(headerKey('s')).toBe('subject');
    expect(headerKey('q')).toBe('q');
  });
});
