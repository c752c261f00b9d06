import type { Dialect } from '@sipcap/schema';
import { LIKE_ESCAPE, likePrefixPattern, PREFIX_FIELDS, prefixOf } from './prefix-match';
import { FILTER_FIELDS, type SearchQuery } from './search-query';
import { SqlParams } from './sql-params';
import { dateRange, ident, limitCount } from './sql-text';

/** The columns of a search result row (the message itself is fetched by the call view). */
export const SEARCH_COLUMNS = [
  'id',
  'date',
  'micro_ts',
  'method',
  'reply_reason',
  'ruri_user',
  'from_user',
  'to_user',
  'pid_user',
  'callid',
  'callid_aleg',
  'cseq',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'proto',
  'family',
  'node',
  'type',
  'user_agent',
] as const;

/** Alias of the table's position in the (name-ordered) table list, the last sort key. */
export const TABLE_KEY = 'sipcap_t';

const STATUS_CLASS = /^[1-6]xx$/i;

/**
 * One search over every table: a branch per table, each already ordered and limited so it reads only
 * the newest matching rows through its indexes, under one UNION ALL ordered by date, id and table
 * (newest first). Every value is a bound parameter; tables must be sorted by name.
 */
export function buildSearchSql(dialect: Dialect, tables: readonly string[], q: SearchQuery): { sql: string; params: unknown[] } {
  const p = new SqlParams(dialect);
  const q_ = (n: string) => ident(dialect, n);
  const cols = SEARCH_COLUMNS.map(q_).join(', ');
  const perTable = limitCount(q.offset + q.limit + 1);
  const branches = tables.map((table, k) => {
    const where = [dateRange(p, q.fromMs, q.toMs), ...filterConditions(p, q.filters)];
    if (q.before) {
      // Strictly after (date, id, table) in descending order; `date <= d` keeps the date index usable.
      const idOp = table < q.before.table ? '<=' : '<';
      where.push(
        `${q_('date')} <= ${p.add(q.before.date)} AND (${q_('date')} < ${p.add(q.before.date)} OR ${q_('id')} ${idOp} ${p.add(q.before.id)})`,
      );
    }
    return `(SELECT ${k} AS ${TABLE_KEY}, ${cols} FROM ${q_(table)} WHERE ${where.join(' AND ')} ORDER BY ${q_('date')} DESC, ${q_('id')} DESC LIMIT ${perTable})`;
  });
  const sql = `SELECT * FROM (${branches.join(' UNION ALL ')}) u ORDER BY ${q_('date')} DESC, ${q_('id')} DESC, ${TABLE_KEY} DESC LIMIT ${limitCount(q.limit + 1)}${q.offset ? ` OFFSET ${limitCount(q.offset)}` : ''}`;
  return { sql, params: p.values };
}

/** The WHERE conditions of a search's filters, every value bound. */
export function filterConditions(p: SqlParams, filters: SearchQuery['filters']): string[] {
  const q_ = (n: string) => ident(p.dialect, n);
  const where: string[] = [];
  for (const f of FILTER_FIELDS) {
    const v = filters[f];
    if (v === undefined) continue;
    const prefix = (PREFIX_FIELDS as readonly string[]).includes(f) ? prefixOf(v) : undefined;
    if (prefix !== undefined) where.push(`${q_(f)} LIKE ${p.add(likePrefixPattern(prefix))} ESCAPE '${LIKE_ESCAPE}'`);
    else if (f === 'method' && STATUS_CLASS.test(v)) where.push(`${q_('method')} LIKE ${p.add(`${v[0]}__`)}`);
    else where.push(`${q_(f)} = ${p.add(v)}`);
  }
  return where;
}
