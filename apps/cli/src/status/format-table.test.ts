import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatRate, formatTable } from './format-table';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'last cell'],
          ['1', '22222', ''],
        ],
      ),
    ).toEqual(['A    BB     C', 'xxx  y      last cell', '1    22222']);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850ms'],
    [4200, '4.2s'],
    [185_000, '3m05s'],
    [7_620_000, '2h07m'],
    [273_600_000, '3d04h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatRate', () => {
  it.each([
    [0, '0'],
    [0.44, '0.4'],
    [12.4, '12'],
    [1234, '1.2k'],
    [3_400_000, '3.4M'],
  ])('%d is %s', (n, text) => {
    expect(formatRate(n)).toBe(text);
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [9999, '9999'],
    [53_100, '53.1k'],
    [2_400_000, '2.4M'],
  ])('%d is %s', (n, text) => expect(formatCount(n)).toBe(text));
});
