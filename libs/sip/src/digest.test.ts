import { describe, it, expect } from 'vitest';
import { digestUsername } from './digest';
import { latin1Text } from './latin1-text';

const user = (s: string) => digestUsername(latin1Text(s), 0, s.length);

describe('digestUsername', () => {
  it('reads the quoted username of Digest credentials', () => {
    expect(
      user(
        'Digest username="alice", realm="atlanta.example.com", nonce="84a4cc6f", uri="sip:atlanta.example.com", response="7587245234b3434cc3412213e5f113a5"',
      ),
    ).toBe('alice');
  });

  it('finds username wherever it is and whatever its case', () => {
    expect(user('Digest realm="r", nonce="n,with,commas", UserName="bob@biloxi.example.com", response="x"')).toBe('bob@biloxi.example.com');
  });

  it('resolves backslash escapes and accepts token values', () => {
    expect(user('Digest username="a\\"b\\\\c"')).toBe('a"b\\c');
    expect(user('Digest username=carol, realm=x')).toBe('carol');
  });

  it('allows whitespace around = and between parameters', () => {
    expect(user('Digest  realm = "r" ,username = "dave"')).toBe('dave');
  });

  it('does not take another parameter whose value looks like a username', () => {
    expect(user('Digest realm="username=mallory", nonce="x"')).toBe('');
    expect(user('Digest usernames="no"')).toBe('');
  });

  it('gives an empty string for credentials without username', () => {
    expect(user('Bearer eyJhbGciOi')).toBe('');
    expect(user('')).toBe('');
  });
});
