import { describe, expect, it } from 'vitest';
import { buildCorrelationSql, buildLinkSql, buildMessagesSql } from './call-sql';
import { buildSearchSql } from './search-sql';
import { FILTER_FIELDS, type SearchQuery } from './search-query';

const w = { fromMs: Date.UTC(2025, 0, 14), toMs: Date.UTC(2025, 0, 16) };
const tables = [
  { name: 'a', hasMsgRaw: true },
  { name: 'b', hasMsgRaw: false },
];
const ids = ['x@h', "y'@h"];

describe('call SQL', () => {
  it('looks legs up by callid or callid_aleg in every table', () => {
    const { sql, params } = buildLinkSql('postgres', ['a', 'b'], w, ids, 100);
    expect(sql).toContain('FROM "a" WHERE "date" >= $1 AND "date" <= $2 AND ("callid" IN ($3, $4) OR "callid_aleg" IN ($3, $4))');
    expect(sql).toContain('FROM "b"');
    expect(sql).toMatch(/LIMIT 100$/);
    expect(params).toEqual(['2025-01-14 00:00:00.000', '2025-01-16 00:00:00.000', ...ids]);
  });

  it('scans correlation_id only with the date bounds', () => {
    const { sql } = buildCorrelationSql('postgres', ['a'], w, ids, 100);
    expect(sql).toContain('WHERE "date" >= $1 AND "date" <= $2 AND "correlation_id" IN ($3, $4)');
  });

  it('reads the exact message bytes: msg_raw where the table has it, the blob in MySQL', () => {
    const pgSql = buildMessagesSql('postgres', tables, w, ids, 10).sql;
    expect(pgSql).toContain(`coalesce("msg_raw", convert_to("msg", 'UTF8')) AS "msg" FROM "a"`);
    expect(pgSql).toContain(`convert_to("msg", 'UTF8') AS "msg" FROM "b"`);
    expect(pgSql).toMatch(/ORDER BY "micro_ts", sipcap_t, "id" LIMIT 10$/);
    expect(buildMessagesSql('mysql', tables, w, ids, 10).sql).toContain('`msg` AS `msg` FROM `a`');
  });

  it('bounds a call in bytes: the database sums the message sizes in order and stops after the budget', () => {
    const pg = buildMessagesSql('postgres', tables, w, ids, 10, 1000).sql;
    expect(pg).toContain(
      'SUM(octet_length("msg")) OVER (ORDER BY "micro_ts", sipcap_t, "id" ROWS UNBOUNDED PRECEDING) AS sipcap_running_bytes',
    );
    expect(pg).toContain('COUNT(*) OVER () AS sipcap_total_messages');
    expect(pg).toMatch(/WHERE sipcap_running_bytes - sipcap_msg_bytes < 1000 ORDER BY "micro_ts", sipcap_t, "id" LIMIT 10$/);
    expect(buildMessagesSql('mysql', tables, w, ids, 10, 1000).sql).toContain('SUM(LENGTH(`msg`)) OVER');
    expect(() => buildMessagesSql('mysql', tables, w, ids, 10, -1)).toThrow(RangeError);
  });

  it('gives MySQL one value per ? in every statement', () => {
    const q: SearchQuery = {
      fromMs: w.fromMs,
      toMs: w.toMs,
      limit: 5,
      offset: 0,
      filters: Object.fromEntries(FILTER_FIELDS.map((f) => [f, f === 'method' ? '5xx' : `v-${f}`])),
      before: { date: '2025-01-15 00:00:00', id: '9', table: 'b' },
    };
    for (const { sql, params } of [
      buildSearchSql('mysql', ['a', 'b', 'c'], q),
      buildLinkSql('mysql', ['a', 'b'], w, ids, 5),
      buildCorrelationSql('mysql', ['a', 'b'], w, ids, 5),
      buildMessagesSql('mysql', tables, w, ids, 5),
      buildMessagesSql('mysql', tables, w, ids, 5, 4096),
    ]) {
      expect(sql.split('?').length - 1).toBe(params.length);
    }
  });
});
