import { describe, expect, it } from 'vitest';
import { likePrefixPattern, prefixOf } from './prefix-match';

describe('prefix match', () => {
  it('reads a trailing * as a prefix and anything else as an exact value', () => {
    expect(prefixOf('alice*')).toBe('alice');
    expect(prefixOf('alice')).toBeUndefined();
    expect(prefixOf('*')).toBe('');
  });

  it('escapes LIKE wildcards and the escape character so they match themselves', () => {
    expect(likePrefixPattern('a_b%c!d')).toBe('a!_b!%c!!d%');
    expect(likePrefixPattern('plain')).toBe('plain%');
  });
});
