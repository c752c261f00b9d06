import type { Dialect } from '@sipcap/schema';
import { TABLE_KEY } from './search-sql';
import { SqlParams } from './sql-params';
import { dateRange, ident, limitCount, msgBytes } from './sql-text';
import type { TableInfo } from './table-catalog';

/** The columns of a call's messages (besides the message bytes, selected as `msg`). */
export const CALL_COLUMNS = [
  'id',
  'date',
  'micro_ts',
  'method',
  'reply_reason',
  'ruri_user',
  'from_user',
  'to_user',
  'callid',
  'callid_aleg',
  'correlation_id',
  'cseq',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'proto',
  'family',
  'node',
  'type',
] as const;

/** The columns that link legs. */
const LINK_COLUMNS = ['callid', 'callid_aleg', 'correlation_id', 'micro_ts'] as const;

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

function union(dialect: Dialect, branches: string[], order: string, limit: number): string {
  return `SELECT * FROM (${branches.join(' UNION ALL ')}) u${order ? ` ORDER BY ${order}` : ''} LIMIT ${limitCount(limit)}`;
}

/**
 * Link columns of the rows whose callid or callid_aleg is one of `ids` (both indexed: a bitmap OR of
 * two index lookups), within the window.
 */
export function buildLinkSql(dialect: Dialect, tables: readonly string[], w: TimeWindow, ids: readonly string[], limit: number) {
  const p = new SqlParams(dialect);
  const q = (n: string) => ident(dialect, n);
  const cols = LINK_COLUMNS.map(q).join(', ');
  const branches = tables.map(
    (t) =>
      `(SELECT ${cols} FROM ${q(t)} WHERE ${dateRange(p, w.fromMs, w.toMs)} AND (${q('callid')} IN ${p.list(ids)} OR ${q('callid_aleg')} IN ${p.list(ids)}))`,
  );
  return { sql: union(dialect, branches, '', limit), params: p.values };
}

/**
 * Link columns of the rows whose correlation_id is one of `ids`. correlation_id has no index, so this
 * reads the date index over a short window only (legs sharing a correlation id start together).
 */
export function buildCorrelationSql(dialect: Dialect, tables: readonly string[], w: TimeWindow, ids: readonly string[], limit: number) {
  const p = new SqlParams(dialect);
  const q = (n: string) => ident(dialect, n);
  const cols = LINK_COLUMNS.map(q).join(', ');
  const branches = tables.map(
    (t) => `(SELECT ${cols} FROM ${q(t)} WHERE ${dateRange(p, w.fromMs, w.toMs)} AND ${q('correlation_id')} IN ${p.list(ids)})`,
  );
  return { sql: union(dialect, branches, '', limit), params: p.values };
}

/** The running byte count of a call's messages, and how many messages it has in all, as `buildMessagesSql` with `maxBytes` selects them. */
export const RUNNING_BYTES = 'sipcap_running_bytes';
export const TOTAL_MESSAGES = 'sipcap_total_messages';

/**
 * Every message whose callid is one of `ids` (callid index), with its exact bytes, oldest first. With
 * `maxBytes`, only the messages whose bytes, summed in that order, stay within it (the database counts,
 * so a call of large messages never reaches the web app whole): a call view is bounded in bytes as well
 * as in messages.
 */
export function buildMessagesSql(
  dialect: Dialect,
  tables: readonly TableInfo[],
  w: TimeWindow,
  ids: readonly string[],
  limit: number,
  maxBytes?: number,
) {
  const p = new SqlParams(dialect);
  const q = (n: string) => ident(dialect, n);
  const cols = CALL_COLUMNS.map(q).join(', ');
  const order = `${q('micro_ts')}, ${TABLE_KEY}, ${q('id')}`;
  const branches = tables.map(
    (t, k) =>
      `(SELECT ${k} AS ${TABLE_KEY}, ${cols}, ${msgBytes(dialect, t)} AS ${q('msg')} FROM ${q(t.name)} WHERE ${dateRange(p, w.fromMs, w.toMs)} AND ${q('callid')} IN ${p.list(ids)})`,
  );
  if (maxBytes === undefined) return { sql: union(dialect, branches, order, limit), params: p.values };
  const length = dialect === 'mysql' ? `LENGTH(${q('msg')})` : `octet_length(${q('msg')})`;
  const counted =
    `SELECT u.*, ${length} AS sipcap_msg_bytes, SUM(${length}) OVER (ORDER BY ${order} ROWS UNBOUNDED PRECEDING) AS ${RUNNING_BYTES}, ` +
    `COUNT(*) OVER () AS ${TOTAL_MESSAGES} FROM (${branches.join(' UNION ALL ')}) u`;
  // The message that crosses the budget is the last one read (the first one always is).
  const within = `${RUNNING_BYTES} - sipcap_msg_bytes < ${limitCount(maxBytes)}`;
  return { sql: `SELECT * FROM (${counted}) c WHERE ${within} ORDER BY ${order} LIMIT ${limitCount(limit)}`, params: p.values };
}
