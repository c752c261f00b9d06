import { describe, it, expect } from 'vitest';
import { compileStrftime } from './strftime';

const at = (iso: string) => Date.parse(iso);

describe('compileStrftime', () => {
  it('expands date and time fields in UTC', () => {
    const t = compileStrftime('sip_capture_%Y%m%d_%H%M');
    expect(t.dated).toBe(true);
    expect(t.expand(at('2024-03-05T07:09:59.999Z'))).toBe('sip_capture_20240305_0709');
    expect(t.expand(at('1999-12-31T23:59:00Z'))).toBe('sip_capture_19991231_2359');
  });

  it('expands %j (day of year) and %y (two-digit year)', () => {
    const t = compileStrftime('t_%y_%j');
    expect(t.expand(at('2024-01-01T00:00:00Z'))).toBe('t_24_001');
    expect(t.expand(at('2024-12-31T12:00:00Z'))).toBe('t_24_366'); // leap year
    expect(t.expand(at('2023-12-31T12:00:00Z'))).toBe('t_23_365');
    expect(t.expand(at('2005-04-10T00:00:00Z'))).toBe('t_05_100');
  });

  it.each([
    // [date, ISO year, ISO week, ISO weekday]
    ['2021-01-03T00:00:00Z', '2020', '53', '7'], // Sunday of week 53 of 2020
    ['2021-01-04T00:00:00Z', '2021', '01', '1'],
    ['2024-12-30T00:00:00Z', '2025', '01', '1'], // Monday belongs to 2025-W01
    ['2026-12-31T00:00:00Z', '2026', '53', '4'],
    ['2024-06-15T23:59:59Z', '2024', '24', '6'],
  ])('expands ISO week fields for %s', (iso, g, v, u) => {
    expect(compileStrftime('w_%G_%V_%u').expand(at(iso))).toBe(`w_${g}_${v}_${u}`);
  });

  it('keeps %% as a literal percent sign and leaves plain names constant', () => {
    expect(compileStrftime('a%%b').expand(0)).toBe('a%b');
    const plain = compileStrftime('sip_capture');
    expect(plain.dated).toBe(false);
    expect(plain.expand(at('2030-01-01T00:00:00Z'))).toBe('sip_capture');
  });

  it('is the same for every time inside one minute and changes at the next', () => {
    const t = compileStrftime('x_%Y%m%d%H%M');
    const base = at('2024-02-29T23:59:00Z');
    expect(t.expand(base)).toBe(t.expand(base + 59_999));
    expect(t.expand(base + 60_000)).toBe('x_202403010000');
  });

  it.each(['t_%Q', 't_%', 't_%S', 't_%e'])('rejects unsupported field in %s', (tpl) => {
    expect(() => compileStrftime(tpl)).toThrow(/TABLE_NAME/);
  });
});
