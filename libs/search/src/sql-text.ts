import { quoteMysql, quotePg, type Dialect } from '@sipcap/schema';
import { dbTimeText } from './db-time';
import type { SqlParams } from './sql-params';
import type { TableInfo } from './table-catalog';

/** An identifier quoted for the dialect (names are validated table names or our own column names). */
export function ident(dialect: Dialect, name: string): string {
  return dialect === 'postgres' ? quotePg(name) : quoteMysql(name);
}

/** `date >= from AND date <= to`: the condition the date index serves. */
export function dateRange(p: SqlParams, fromMs: number, toMs: number): string {
  const d = ident(p.dialect, 'date');
  return `${d} >= ${p.add(dbTimeText(fromMs, p.dialect))} AND ${d} <= ${p.add(dbTimeText(toMs, p.dialect))}`;
}

/** The exact bytes of `msg`: PostgreSQL keeps them in msg_raw when text cannot (see @sipcap/store). */
export function msgBytes(dialect: Dialect, table: TableInfo): string {
  if (dialect === 'mysql') return quoteMysql('msg');
  return table.hasMsgRaw
    ? `coalesce(${quotePg('msg_raw')}, convert_to(${quotePg('msg')}, 'UTF8'))`
    : `convert_to(${quotePg('msg')}, 'UTF8')`;
}

/** A LIMIT count: a whole number checked here, never text from a request. */
export function limitCount(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`bad LIMIT ${n}`);
  return String(n);
}
