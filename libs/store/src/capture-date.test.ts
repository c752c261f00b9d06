import { describe, it, expect } from 'vitest';
import { CaptureDateText, captureDay, dayText } from './capture-date';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('CaptureDateText', () => {
  it('writes microseconds for PostgreSQL and truncated seconds for MySQL', () => {
    const f = new CaptureDateText();
    const t = micros('2024-02-29T23:59:59.999Z') + 999n;
    expect(f.micros(t)).toBe('2024-02-29 23:59:59.999999');
    expect(f.seconds(t)).toBe('2024-02-29 23:59:59');
  });

  it('changes with the second and pads small values', () => {
    const f = new CaptureDateText();
    expect(f.micros(micros('2001-02-03T04:05:06Z') + 7n)).toBe('2001-02-03 04:05:06.000007');
    expect(f.micros(micros('2001-02-03T04:05:07Z'))).toBe('2001-02-03 04:05:07.000000');
    expect(f.micros(0n)).toBe('1970-01-01 00:00:00.000000');
  });

  it('handles capture times beyond 2^53 microseconds', () => {
    const f = new CaptureDateText();
    const t = micros('9999-12-31T23:59:59Z') + 123456n;
    expect(f.micros(t)).toBe('9999-12-31 23:59:59.123456');
    expect(captureDay(t)).toBe(Math.floor(Date.parse('9999-12-31T00:00:00Z') / 86_400_000));
  });
});

describe('captureDay', () => {
  it('numbers UTC days since the epoch', () => {
    expect(captureDay(micros('1970-01-02T00:00:00Z') - 1n)).toBe(0);
    expect(captureDay(micros('1970-01-02T00:00:00Z'))).toBe(1);
    expect(dayText(captureDay(micros('2024-07-04T13:00:00Z')))).toBe('2024-07-04');
  });
});
