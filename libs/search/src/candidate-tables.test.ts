import { describe, expect, it } from 'vitest';
import { candidateTables } from './candidate-tables';

const at = (iso: string) => Date.parse(iso);

describe('candidateTables', () => {
  it('keeps a plain name as it is', () => {
    expect(candidateTables('sip_capture', 0, at('2025-01-15T00:00:00Z'))).toEqual(['sip_capture']);
  });

  it('expands a daily table for every day the range touches, ends included', () => {
    expect(candidateTables('sip_capture_%Y%m%d', at('2025-01-30T23:59:00Z'), at('2025-02-02T00:00:00Z'))).toEqual([
      'sip_capture_20250130',
      'sip_capture_20250131',
      'sip_capture_20250201',
      'sip_capture_20250202',
    ]);
  });

  it('expands an hourly table per hour, and several entries together', () => {
    expect(candidateTables('a_%Y%m%d%H|b', at('2025-01-15T10:30:00Z'), at('2025-01-15T12:00:00Z'))).toEqual([
      'a_2025011510',
      'a_2025011511',
      'a_2025011512',
      'b',
    ]);
  });

  it('expands a weekly table once per week', () => {
    expect(candidateTables('w_%G_%V', at('2025-01-01T00:00:00Z'), at('2025-01-20T00:00:00Z'))).toEqual([
      'w_2025_01',
      'w_2025_02',
      'w_2025_03',
      'w_2025_04',
    ]);
  });

  it('refuses a range that needs too many tables', () => {
    expect(() => candidateTables('m_%Y%m%d%H%M', 0, at('2025-01-01T00:00:00Z'), 1000)).toThrow(RangeError);
  });
});
