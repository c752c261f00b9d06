import { describe, expect, it } from 'vitest';
import { dbTimeText, dbTimeToMs, microsToIso } from './db-time';

describe('dbTimeText', () => {
  const t = Date.UTC(2025, 0, 15, 10, 0, 0, 123);
  it('writes UTC text with milliseconds for PostgreSQL', () => {
    expect(dbTimeText(t, 'postgres')).toBe('2025-01-15 10:00:00.123');
  });
  it('truncates to whole seconds for MySQL, as the column does', () => {
    expect(dbTimeText(t + 876, 'mysql')).toBe('2025-01-15 10:00:00');
  });
  it('clamps times outside 1970..9999', () => {
    expect(dbTimeText(-5, 'postgres')).toBe('1970-01-01 00:00:00.000');
    expect(dbTimeText(Date.UTC(12000, 0, 1), 'mysql')).toBe('9999-12-31 23:59:59');
  });
});

describe('microsToIso / dbTimeToMs', () => {
  it('keeps the microseconds of micro_ts', () => {
    expect(microsToIso(1_736_935_200_123_456n)).toBe('2025-01-15T10:00:00.123456Z');
    expect(microsToIso(1_736_935_200_000_007n)).toBe('2025-01-15T10:00:00.000007Z');
  });
  it('reads the text of a date column back as UTC', () => {
    expect(dbTimeToMs('2025-01-15 10:00:00.123456')).toBe(Date.UTC(2025, 0, 15, 10, 0, 0, 123));
    expect(dbTimeToMs('2025-01-15 10:00:01')).toBe(Date.UTC(2025, 0, 15, 10, 0, 1));
  });
});
