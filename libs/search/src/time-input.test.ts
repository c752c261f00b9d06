import { describe, expect, it } from 'vitest';
import { parseTimeInput } from './time-input';

describe('parseTimeInput', () => {
  const t = Date.UTC(2025, 0, 15, 10, 0, 0);
  it.each([
    ['1736935200000', t],
    ['2025-01-15T10:00:00Z', t],
    ['2025-01-15T10:00:00.000000Z', t],
    ['2025-01-15 10:00', t],
    ['2025-01-15T10:00:00', t],
    ['2025-01-15T12:00:00+02:00', t],
    ['2025-01-15T10:00:00.250', t + 250],
  ])('reads %s', (text, ms) => {
    expect(parseTimeInput(text)).toBe(ms);
  });

  it.each(['', 'yesterday', '2025-13-45T10:00:00Z', '2025-01-15', '-5', '99999999999999999', '2025-01-15T10:00:00Z; DROP TABLE x'])(
    'refuses %j',
    (text) => {
      expect(parseTimeInput(text)).toBeUndefined();
    },
  );
});
