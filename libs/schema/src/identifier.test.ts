import { describe, it, expect } from 'vitest';
import { assertTableName, isValidTableName, quoteMysql, quotePg } from './identifier';

describe('table name validation', () => {
  it.each(['sip_capture', '_x', 'sip_capture_20240131', 'A', 'a'.repeat(63)])('accepts %s', (name) => {
    expect(isValidTableName(name)).toBe(true);
    expect(assertTableName(name)).toBe(name);
  });

  it.each(['', '1abc', 'sip capture', 'sip-capture', 'sip_capture;drop', 'a"b', 'a`b', 'sip_%Y', 'a'.repeat(64), 'tablé', 'x\n'])(
    'rejects %j',
    (name) => {
      expect(isValidTableName(name)).toBe(false);
      expect(() => assertTableName(name)).toThrow(/TABLE_NAME/);
    },
  );
});

describe('identifier quoting', () => {
  it('quotes and doubles embedded quote characters', () => {
    expect(quotePg('sip_capture')).toBe('"sip_capture"');
    expect(quotePg('a"b')).toBe('"a""b"');
    expect(quoteMysql('sip_capture')).toBe('`sip_capture`');
    expect(quoteMysql('a`b')).toBe('`a``b`');
  });
});
