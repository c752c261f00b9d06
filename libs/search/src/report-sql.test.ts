import { describe, expect, it } from 'vitest';
import { buildReportsSql } from './report-sql';

const w = { fromMs: Date.UTC(2025, 0, 14), toMs: Date.UTC(2025, 0, 16) };

describe('report SQL', () => {
  it('reads every report table by correlation_id within the date bounds, oldest first', () => {
    const { sql, params } = buildReportsSql('postgres', ['rtcp_capture_20250114', 'rtcp_capture_20250115'], w, ['x@h', "y'@h"], 101);
    expect(sql).toContain('(SELECT 0 AS sipcap_t, "id", "date", "micro_ts", "correlation_id"');
    expect(sql).toContain('FROM "rtcp_capture_20250114" WHERE "date" >= $1 AND "date" <= $2 AND "correlation_id" IN ($3, $4))');
    expect(sql).toContain('(SELECT 1 AS sipcap_t');
    expect(sql).toMatch(/ORDER BY "micro_ts", sipcap_t, "id" LIMIT 101$/);
    expect(params).toEqual(['2025-01-14 00:00:00.000', '2025-01-16 00:00:00.000', 'x@h', "y'@h"]);
  });

  it('repeats positional parameters in MySQL', () => {
    const { sql, params } = buildReportsSql('mysql', ['a', 'b'], w, ['x'], 5);
    expect(sql).toContain('FROM `a` WHERE `date` >= ? AND `date` <= ? AND `correlation_id` IN (?)');
    expect(params).toEqual(['2025-01-14 00:00:00', '2025-01-16 00:00:00', 'x', '2025-01-14 00:00:00', '2025-01-16 00:00:00', 'x']);
  });

  it('refuses an empty table or id list and a bad limit', () => {
    expect(() => buildReportsSql('postgres', [], w, ['x'], 5)).toThrow(RangeError);
    expect(() => buildReportsSql('postgres', ['a'], w, [], 5)).toThrow(RangeError);
    expect(() => buildReportsSql('postgres', ['a'], w, ['x'], -1)).toThrow(RangeError);
  });
});
