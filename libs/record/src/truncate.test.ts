import { describe, it, expect } from 'vitest';
import { COLUMN_WIDTH } from './capture-record';
import { fitColumn, truncate } from './truncate';

describe('truncate', () => {
  it('leaves values that fit untouched', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 0)).toBe('');
  });

  it('cuts longer values to the width', () => {
    expect(truncate('abcdef', 4)).toBe('abcd');
  });

  it('counts a non-ASCII character as one', () => {
    expect(truncate('üüüü', 3)).toBe('üüü');
  });

  it('never splits a surrogate pair', () => {
    const s = 'ab\u{1F600}cd'; // a, b, high, low, c, d
    expect(truncate(s, 3)).toBe('ab');
    expect(truncate(s, 4)).toBe('ab\u{1F600}');
    const cut = truncate('\u{1F600}'.repeat(10), 7);
    expect(cut).toBe('\u{1F600}'.repeat(3));
    const last = cut.charCodeAt(cut.length - 1);
    expect(last >= 0xdc00 && last <= 0xdfff).toBe(true); // ends on the low half of a pair
  });
});

describe('fitColumn', () => {
  it('uses the width of the column', () => {
    expect(fitColumn('cseq', '1'.repeat(40) + ' INVITE')).toHaveLength(COLUMN_WIDTH.cseq);
    expect(fitColumn('via_1', 'v'.repeat(300))).toHaveLength(256);
  });
});
