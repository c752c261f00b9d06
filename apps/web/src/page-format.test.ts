import { describe, expect, it } from 'vitest';
import { durationText, zonedDate } from '../page/format';
import { legColour } from '../page/leg-colour';

describe('page formatting', () => {
  it('gives every leg its own colour, however many legs', () => {
    const colours = Array.from({ length: 60 }, (_, i) => legColour(i));
    expect(new Set(colours).size).toBe(60);
    expect(legColour(7)).toBe(legColour(7));
  });

  it('writes durations in seconds, minutes or hours', () => {
    expect(durationText(5030)).toBe('5.030 s');
    expect(durationText(125_000)).toBe('2 min 05 s');
    expect(durationText(3_720_000)).toBe('1 h 02 min');
  });

  it('keeps the microseconds of a time shown in UTC or in the local zone', () => {
    expect(zonedDate('2025-01-15T10:00:00.123456Z', 'utc')).toBe('2025-01-15 10:00:00.123456');
    expect(zonedDate('2025-01-15T10:00:00.123456Z', 'local')).toMatch(/^2025-01-1\d \d\d:\d\d:00\.123456$/);
  });
});
