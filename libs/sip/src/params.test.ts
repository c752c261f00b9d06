import { describe, it, expect } from 'vitest';
import { latin1Text } from './latin1-text';
import { findParam, listElementEnd } from './params';

const param = (s: string, name: string) => findParam(latin1Text(s), 0, s.length, name);

describe('findParam', () => {
  it('finds a parameter by name in any case', () => {
    expect(param(';tag=abc;expires=60', 'expires')).toBe('60');
    expect(param(';TAG=abc', 'tag')).toBe('abc');
  });

  it('allows whitespace around ; and =', () => {
    expect(param(' ; tag = abc ; x', 'tag')).toBe('abc');
  });

  it('gives an empty string for a parameter without value and undefined when absent', () => {
    expect(param(';lr;transport=tcp', 'lr')).toBe('');
    expect(param(';lr;transport=tcp', 'maddr')).toBeUndefined();
  });

  it('does not match a longer or shorter name', () => {
    expect(param(';tags=1;ta=2', 'tag')).toBeUndefined();
  });

  it('returns quoted values without quotes and ignores ; inside them', () => {
    expect(param(';x="a;tag=no";tag=yes', 'tag')).toBe('yes');
    expect(param(';reason="a \\" b"', 'reason')).toBe('a \\" b');
  });

  it('stops at the end of the list element', () => {
    expect(param(';a=1, <sip:x@y>;tag=2', 'tag')).toBeUndefined();
  });

  it('stays inside the given range', () => {
    const s = ';a=1;tag=2';
    expect(findParam(latin1Text(s), 0, 4, 'tag')).toBeUndefined();
  });
});

describe('findParam range', () => {
  it('tells where the value lies, without the quotes of a quoted one', () => {
    const s = ' ; tag = abc ;q="x,y";lr';
    const range = { start: -1, end: -1 };
    expect(findParam(latin1Text(s), 0, s.length, 'tag', range)).toBe('abc');
    expect(s.substring(range.start, range.end)).toBe('abc');
    expect(findParam(latin1Text(s), 0, s.length, 'q', range)).toBe('x,y');
    expect(s.substring(range.start, range.end)).toBe('x,y');
    expect(findParam(latin1Text(s), 0, s.length, 'lr', range)).toBe('');
    expect(range.start).toBe(range.end);
  });

  it('leaves the range alone when the parameter is absent', () => {
    const range = { start: 7, end: 9 };
    expect(findParam(latin1Text(';a=1'), 0, 4, 'tag', range)).toBeUndefined();
    expect(range).toEqual({ start: 7, end: 9 });
  });
});

describe('listElementEnd', () => {
  const end = (s: string) => listElementEnd(latin1Text(s), 0, s.length);
  it('ends at the first top-level comma', () => {
    expect(end('a, b')).toBe(1);
    expect(end('abc')).toBe(3);
  });
  it('skips commas in quotes and angle brackets', () => {
    expect(end('"x,y" <sip:a@b?h=1,2>, c')).toBe(21);
  });
});
