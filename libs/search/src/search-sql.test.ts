import { describe, expect, it } from 'vitest';
import { buildSearchSql } from './search-sql';
import type { SearchQuery } from './search-query';

const base: SearchQuery = { fromMs: Date.UTC(2025, 0, 15, 9), toMs: Date.UTC(2025, 0, 15, 10), filters: {}, limit: 10, offset: 0 };

describe('buildSearchSql', () => {
  it('binds every value and quotes every name (PostgreSQL)', () => {
    const evil = "x' OR '1'='1";
    const { sql, params } = buildSearchSql('postgres', ['sip_capture'], { ...base, filters: { callid: evil, from_user: 'alice' } });
    expect(sql).not.toContain(evil);
    expect(sql).toContain('"callid" = $3');
    expect(sql).toContain('"from_user" = $4');
    expect(sql).toContain('FROM "sip_capture" WHERE "date" >= $1 AND "date" <= $2');
    expect(params).toEqual(['2025-01-15 09:00:00.000', '2025-01-15 10:00:00.000', evil, 'alice']);
  });

  it('has one ordered, limited branch per table and repeats MySQL values per branch', () => {
    const { sql, params } = buildSearchSql('mysql', ['a', 'b'], { ...base, filters: { to_user: 'bob' }, offset: 20 });
    expect(sql.match(/\(SELECT/g)).toHaveLength(2);
    expect(sql).toContain('(SELECT 0 AS sipcap_t');
    expect(sql).toContain('FROM `b` WHERE');
    expect(sql).toContain('ORDER BY `date` DESC, `id` DESC LIMIT 31)');
    expect(sql).toMatch(/ORDER BY `date` DESC, `id` DESC, sipcap_t DESC LIMIT 11 OFFSET 20$/);
    expect(params).toEqual(['2025-01-15 09:00:00', '2025-01-15 10:00:00', 'bob', '2025-01-15 09:00:00', '2025-01-15 10:00:00', 'bob']);
  });

  it('turns a status class into a LIKE on method', () => {
    const { sql, params } = buildSearchSql('postgres', ['t'], { ...base, filters: { method: '4xx' } });
    expect(sql).toContain('"method" LIKE $3');
    expect(params[2]).toBe('4__');
  });

  it('pages after a cursor: ids equal to the cursor only in tables that sort before its table', () => {
    const before = { date: '2025-01-15 09:30:00.5', id: '77', table: 'b' };
    const { sql } = buildSearchSql('postgres', ['a', 'b', 'c'], { ...base, before });
    const branch = (t: string) => sql.split('(SELECT').find((s) => s.includes(`FROM "${t}"`))!;
    expect(branch('a')).toContain('"date" <= $3 AND ("date" < $3 OR "id" <= $4)');
    expect(branch('b')).toContain('"id" < $4');
    expect(branch('c')).toContain('"id" < $4');
  });
});
