import { describe, expect, it } from 'vitest';
import { buildCallIdsSql, buildCallStatsSql } from './calls-sql';
import type { SearchQuery } from './search-query';

const q: SearchQuery = {
  fromMs: Date.UTC(2025, 0, 15, 9),
  toMs: Date.UTC(2025, 0, 15, 10),
  filters: { from_user: 'al_ice*' },
  limit: 10,
  offset: 0,
};

describe('calls SQL', () => {
  it('groups the matching rows by callid per table, then over the tables, newest first, limited', () => {
    const { sql, params } = buildCallIdsSql('postgres', ['a', 'b'], q, 11);
    expect(sql.match(/GROUP BY "callid"\)/g)).toHaveLength(2);
    expect(sql).toContain(`"from_user" LIKE $3 ESCAPE '!'`);
    expect(sql).toMatch(/GROUP BY "callid" ORDER BY first_ts DESC LIMIT 11$/);
    expect(params).toEqual(['2025-01-15 09:00:00.000', '2025-01-15 10:00:00.000', 'al!_ice%']);
  });

  it("sums up the given Call-IDs through the callid index, each value bound, in MySQL's dialect too", () => {
    const evil = "x') OR 1=1 --";
    const { sql, params } = buildCallStatsSql('mysql', ['t1', 't2'], { fromMs: q.fromMs, toMs: q.toMs }, ['c1', evil]);
    expect(sql).not.toContain(evil);
    expect(sql.match(/`callid` IN \(\?, \?\) GROUP BY `callid`/g)).toHaveLength(2);
    expect(sql).toContain("MIN(CONCAT(LPAD(`micro_ts`, 20, '0'), `from_user`)) AS first_from");
    expect(params).toEqual([
      '2025-01-15 09:00:00',
      '2025-01-15 10:00:00',
      'c1',
      evil,
      '2025-01-15 09:00:00',
      '2025-01-15 10:00:00',
      'c1',
      evil,
    ]);
    const pg = buildCallStatsSql('postgres', ['t1'], { fromMs: q.fromMs, toMs: q.toMs }, ['c1']).sql;
    expect(pg).toContain(`MIN(LPAD(CAST("micro_ts" AS text), 20, '0') || "from_user" COLLATE "C") AS first_from`);
  });
});
