import { describe, expect, it } from 'vitest';
import { datedTablePeriod } from './dated-table-period';
import { compileStrftime } from '@sipcap/schema';

const at = (iso: string) => Date.parse(iso);
const period = (template: string, name: string) => datedTablePeriod(compileStrftime(template), name);

describe('datedTablePeriod', () => {
  it('reads the day of a %Y%m%d name', () => {
    expect(period('sip_capture_%Y%m%d', 'sip_capture_20240229')).toEqual({
      startMs: at('2024-02-29T00:00:00Z'),
      endMs: at('2024-03-01T00:00:00Z'),
    });
  });

  it('reads months, day of year, two-digit years, ISO weeks and hours', () => {
    expect(period('t_%Y_%m', 't_2024_12')).toEqual({ startMs: at('2024-12-01T00:00:00Z'), endMs: at('2025-01-01T00:00:00Z') });
    expect(period('t_%Y%j', 't_2024060')).toEqual({ startMs: at('2024-02-29T00:00:00Z'), endMs: at('2024-03-01T00:00:00Z') });
    expect(period('t_%y%m%d', 't_240229')?.startMs).toBe(at('2024-02-29T00:00:00Z'));
    expect(period('t_%GW%V', 't_2021W01')).toEqual({ startMs: at('2021-01-04T00:00:00Z'), endMs: at('2021-01-11T00:00:00Z') });
    expect(period('t_%Y%m%d_%H', 't_20240229_13')).toEqual({ startMs: at('2024-02-29T13:00:00Z'), endMs: at('2024-02-29T14:00:00Z') });
    expect(period('t_%Y', 't_2023')).toEqual({ startMs: at('2023-01-01T00:00:00Z'), endMs: at('2024-01-01T00:00:00Z') });
  });

  it('matches only names the template makes', () => {
    expect(period('sip_capture_%Y%m%d', 'sip_capture_20240230')).toBeUndefined(); // no such day
    expect(period('sip_capture_%Y%m%d', 'sip_capture_2024022')).toBeUndefined();
    expect(period('sip_capture_%Y%m%d', 'sip_capture_20240229_old')).toBeUndefined();
    expect(period('sip_capture_%Y%m%d', 'sip_capture_call_20240229')).toBeUndefined();
    expect(period('sip_capture_%Y%m%d', 'sip_capture')).toBeUndefined();
    expect(period('sip_capture', 'sip_capture')).toBeUndefined(); // not dated
    expect(period('t_%Y%m%d_%Y', 't_20240229_2023')).toBeUndefined(); // fields disagree
  });

  it('leaves recurring names (hour only) without a period', () => {
    expect(period('t_%H', 't_13')).toBeUndefined();
  });
});
