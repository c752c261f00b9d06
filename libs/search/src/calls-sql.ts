import type { Dialect } from '@sipcap/schema';
import { filterConditions } from './search-sql';
import type { SearchQuery } from './search-query';
import { SqlParams } from './sql-params';
import { dateRange, ident, limitCount } from './sql-text';
import type { TimeWindow } from './call-sql';

/**
 * The newest `limit` Call-IDs with a message matching the search in its range, newest first message
 * first: per table the matching rows grouped by callid, then grouped again over the tables.
 */
export function buildCallIdsSql(
  dialect: Dialect,
  tables: readonly string[],
  q: SearchQuery,
  limit: number,
): { sql: string; params: unknown[] } {
  const p = new SqlParams(dialect);
  const q_ = (n: string) => ident(dialect, n);
  const branches = tables.map((t) => {
    const where = [dateRange(p, q.fromMs, q.toMs), ...filterConditions(p, q.filters)];
    return `(SELECT ${q_('callid')}, MIN(${q_('micro_ts')}) AS first_ts FROM ${q_(t)} WHERE ${where.join(' AND ')} GROUP BY ${q_('callid')})`;
  });
  const sql = `SELECT ${q_('callid')}, MIN(first_ts) AS first_ts FROM (${branches.join(' UNION ALL ')}) u GROUP BY ${q_('callid')} ORDER BY first_ts DESC LIMIT ${limitCount(limit)}`;
  return { sql, params: p.values };
}

/**
 * `MIN` of `column` prefixed by the zero-padded capture time: its smallest value is the first message's
 * column (cut off the 20 digits to read it). A portable "first value" for a GROUP BY.
 */
function firstOf(dialect: Dialect, column: string): string {
  const c = ident(dialect, column);
  const ts = ident(dialect, 'micro_ts');
  return dialect === 'postgres' ? `MIN(LPAD(CAST(${ts} AS text), 20, '0') || ${c} COLLATE "C")` : `MIN(CONCAT(LPAD(${ts}, 20, '0'), ${c}))`;
}

/** The columns of one Call-ID's summary in one table (see CallIdStats). */
const FINAL = (m: string) => `${m} BETWEEN '200' AND '699'`;

/**
 * Per table and Call-ID among `ids`, in the window: first and last capture time, message count, the
 * A-leg and correlation ids it names, the first message's From user, To user and method, and the
 * lowest final status (a reply 200..699) to an INVITE and to anything.
 */
export function buildCallStatsSql(
  dialect: Dialect,
  tables: readonly string[],
  w: TimeWindow,
  ids: readonly string[],
): { sql: string; params: unknown[] } {
  const p = new SqlParams(dialect);
  const q_ = (n: string) => ident(dialect, n);
  const m = q_('method');
  const cols = [
    q_('callid'),
    `MIN(${q_('micro_ts')}) AS first_ts`,
    `MAX(${q_('micro_ts')}) AS last_ts`,
    'COUNT(*) AS messages',
    `MAX(${q_('callid_aleg')}) AS aleg`,
    `MAX(${q_('correlation_id')}) AS corr`,
    `${firstOf(dialect, 'from_user')} AS first_from`,
    `${firstOf(dialect, 'to_user')} AS first_to`,
    `${firstOf(dialect, 'method')} AS first_method`,
    `MIN(CASE WHEN ${FINAL(m)} AND ${q_('cseq')} LIKE '% INVITE' THEN ${m} END) AS invite_status`,
    `MIN(CASE WHEN ${FINAL(m)} THEN ${m} END) AS any_status`,
  ].join(', ');
  const branches = tables.map(
    (t) =>
      `(SELECT ${cols} FROM ${q_(t)} WHERE ${dateRange(p, w.fromMs, w.toMs)} AND ${q_('callid')} IN ${p.list(ids)} GROUP BY ${q_('callid')})`,
  );
  return { sql: branches.join(' UNION ALL '), params: p.values };
}
