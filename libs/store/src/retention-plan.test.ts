import { describe, expect, it } from 'vitest';
import { parseRetentionTables, RetentionPlan, retentionProblem } from './retention-plan';

const now = Date.parse('2024-05-10T12:00:00Z');

describe('RetentionPlan', () => {
  const plan = new RetentionPlan({
    defaultDays: 7,
    templates: ['sip_capture_call_%Y%m%d', 'sip_capture_registration_%Y%m%d', 'rtcp_capture', 'logs_%Y%m'],
    overrides: [
      { template: 'sip_capture_registration_%Y%m%d', days: 2 },
      { template: 'logs_%Y%m', days: 0 },
    ],
  });

  it("gives each table its template's days, the default otherwise", () => {
    expect(plan.daysForTable('sip_capture_call_20240501')).toBe(7);
    expect(plan.daysForTable('sip_capture_registration_20240501')).toBe(2);
    expect(plan.daysForTable('rtcp_capture')).toBe(7);
    expect(plan.daysForTable('logs_202405')).toBe(0);
    expect(plan.daysForTemplate('sip_capture_registration_%Y%m%d')).toBe(2);
    expect(plan.daysForTable('something_else')).toBe(7);
  });

  it('expires dated tables whose whole day lies before the retention, never today or later', () => {
    const tables = [
      'sip_capture_call_20240502', // ends 05-03 00:00 <= 05-03 12:00: expired
      'sip_capture_call_20240503', // ends 05-04 00:00: kept
      'sip_capture_call_20240510',
      'sip_capture_call_20240511',
      'sip_capture_registration_20240507', // ends 05-08 00:00 <= 05-08 12:00: expired (2 days)
      'sip_capture_registration_20240508',
      'logs_202301', // kept forever (0)
      'rtcp_capture',
      'sip_capture_call_20240502_copy',
      'sip_capture_call_19700101',
    ];
    expect(plan.expiredTables(tables, now).sort()).toEqual([
      'sip_capture_call_19700101',
      'sip_capture_call_20240502',
      'sip_capture_registration_20240507',
    ]);
    expect(plan.datedTemplates).toEqual(['sip_capture_call_%Y%m%d', 'sip_capture_registration_%Y%m%d']);
  });

  it('is inactive when nothing expires', () => {
    expect(new RetentionPlan({ defaultDays: 0, templates: ['sip_capture'] }).active).toBe(false);
    expect(new RetentionPlan({ defaultDays: 0, templates: ['a_%Y%m%d'], overrides: [{ template: 'a_%Y%m%d', days: 1 }] }).active).toBe(
      true,
    );
  });
});

describe('parseRetentionTables', () => {
  const templates = ['sip_capture_%Y%m%d', 'rtcp_capture'];
  it('reads template=days entries', () => {
    expect(parseRetentionTables(' sip_capture_%Y%m%d=2, rtcp_capture = 30 ,', templates)).toEqual([
      { template: 'sip_capture_%Y%m%d', days: 2 },
      { template: 'rtcp_capture', days: 30 },
    ]);
    expect(parseRetentionTables('', templates)).toEqual([]);
  });
  it('refuses malformed entries and tables not written', () => {
    expect(() => parseRetentionTables('rtcp_capture', templates)).toThrow(/template=days/);
    expect(() => parseRetentionTables('rtcp_capture=-1', templates)).toThrow(/template=days/);
    expect(() => parseRetentionTables('other=2', templates)).toThrow(/not one of the tables written/);
  });
});

describe('retentionProblem', () => {
  it('refuses a retention that nothing can follow, or a rule naming a table that cannot expire', () => {
    const plain = new RetentionPlan({ defaultDays: 7, templates: ['sip_capture', 'rtcp_capture'] });
    expect(retentionProblem(plain, ['sip_capture', 'rtcp_capture'], false).error).toMatch(/^sip_capture, rtcp_capture are neither dated/);
    expect(retentionProblem(plain, ['sip_capture', 'rtcp_capture'], true)).toEqual({});
    const rule = new RetentionPlan({
      defaultDays: 0,
      templates: ['a_%Y%m%d', 'rtcp_capture'],
      overrides: [{ template: 'rtcp_capture', days: 3 }],
    });
    expect(retentionProblem(rule, ['a_%Y%m%d', 'rtcp_capture'], false).error).toMatch(/^rtcp_capture is neither dated/);
  });
  it('warns when only some tables under DB_RETENTION_DAYS keep everything', () => {
    const mixed = new RetentionPlan({ defaultDays: 3, templates: ['a_%Y%m%d', 'rtcp_capture'] });
    expect(retentionProblem(mixed, ['a_%Y%m%d', 'rtcp_capture'], false)).toEqual({
      warning: expect.stringMatching(/^rtcp_capture is neither dated/),
    });
    const keepAll = new RetentionPlan({ defaultDays: 0, templates: ['sip_capture'] });
    expect(retentionProblem(keepAll, ['sip_capture'], false)).toEqual({});
  });
});
