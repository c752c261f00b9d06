import type { Dialect } from '@sipcap/schema';
import type { TimeWindow } from './call-sql';
import { TABLE_KEY } from './search-sql';
import { SqlParams } from './sql-params';
import { dateRange, ident, limitCount } from './sql-text';

/** The columns of Kamailio's rtcp_capture, report_capture and logs_capture (all three alike). */
export const REPORT_ROW_COLUMNS = [
  'id',
  'date',
  'micro_ts',
  'correlation_id',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'proto',
  'family',
  'type',
  'node',
  'msg',
] as const;

/**
 * Every report row of one kind whose correlation_id is one of `ids` (indexed in the report tables),
 * within the window, oldest first; `sipcap_t` numbers the table in `tables`.
 */
export function buildReportsSql(dialect: Dialect, tables: readonly string[], w: TimeWindow, ids: readonly string[], limit: number) {
  if (tables.length === 0 || ids.length === 0) throw new RangeError('buildReportsSql needs tables and ids');
  const p = new SqlParams(dialect);
  const q = (n: string) => ident(dialect, n);
  const cols = REPORT_ROW_COLUMNS.map(q).join(', ');
  const branches = tables.map(
    (t, k) =>
      `(SELECT ${k} AS ${TABLE_KEY}, ${cols} FROM ${q(t)} WHERE ${dateRange(p, w.fromMs, w.toMs)} AND ${q('correlation_id')} IN ${p.list(ids)})`,
  );
  const sql = `SELECT * FROM (${branches.join(' UNION ALL ')}) u ORDER BY ${q('micro_ts')}, ${TABLE_KEY}, ${q('id')} LIMIT ${limitCount(limit)}`;
  return { sql, params: p.values };
}
