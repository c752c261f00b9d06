import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CaptureRecord } from '@sipcap/record';
import { COLUMNS, COLUMN_KINDS, columnValues } from './columns';
import { spareWriters } from './spare-writers';
import { CaptureDateText } from './capture-date';
import { quotePg } from '@sipcap/schema';
import { encodeCopyBinary } from './pg-copy-binary';
import { encodeCopyRows, PG_ROW_COLUMNS } from './pg-copy-rows';
import { msgFitsPgText, msgLossyText, replaceNul } from './pg-msg';

const COLUMN_LIST = PG_ROW_COLUMNS.map(quotePg).join(', ');

/**
 * Rows through `COPY ... FROM STDIN`, the whole batch of one table in one buffer: in the binary format, or
 * in the text format (dates formatted by `format`) for a table whose column types the binary form does not fit.
 */
export async function copyRows(
  client: PoolClient,
  table: string,
  records: readonly CaptureRecord[],
  format: 'binary' | CaptureDateText,
): Promise<void> {
  const binary = format === 'binary';
  const w = binary ? spareWriters.take() : undefined;
  const data = w ? encodeCopyBinary(records, w) : encodeCopyRows(records, format as CaptureDateText);
  const stream = client.query(copyFrom(`COPY ${quotePg(table)} (${COLUMN_LIST}) FROM STDIN${binary ? ' (FORMAT binary)' : ''}`));
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    stream.end(data);
  });
  if (w) spareWriters.give(w);
}

/** PostgreSQL accepts at most 65535 parameters in one statement. */
const MAX_PARAMS = 65535;
export const PG_INSERT_ROWS_PER_STATEMENT = Math.floor(MAX_PARAMS / PG_ROW_COLUMNS.length);

const statementCache = new Map<string, string>();

/** `INSERT INTO t (cols) VALUES ($1,..),(..)` for n rows, built once per table and row count. */
export function pgInsertStatement(table: string, n: number): string {
  const key = `${table}\0${n}`;
  let sql = statementCache.get(key);
  if (sql) return sql;
  const width = PG_ROW_COLUMNS.length;
  const tuples: string[] = [];
  for (let r = 0; r < n; r++) {
    const p: string[] = [];
    for (let c = 1; c <= width; c++) p.push('$' + (r * width + c));
    tuples.push(`(${p.join(',')})`);
  }
  sql = `INSERT INTO ${quotePg(table)} (${COLUMN_LIST}) VALUES ${tuples.join(',')}`;
  if (statementCache.size > 64) statementCache.clear();
  statementCache.set(key, sql);
  return sql;
}

/** The parameters of one row, in PG_ROW_COLUMNS order. */
export function pgRowParams(r: CaptureRecord, dates: CaptureDateText, out: unknown[]): void {
  const values = columnValues(r);
  out.push(dates.micros(r.micro_ts));
  for (let i = 0; i < COLUMNS.length - 1; i++) {
    const v = values[i];
    const kind = COLUMN_KINDS[i];
    out.push(kind === 'text' ? replaceNul(v as string) : kind === 'micros' ? String(v) : v);
  }
  if (msgFitsPgText(r.msg)) {
    out.push(r.msg.toString('utf8'), null);
  } else {
    out.push(msgLossyText(r.msg), r.msg);
  }
}

/** Rows through multi-row INSERT statements with parameters (the alternative to COPY). */
export async function insertRows(
  client: PoolClient,
  table: string,
  records: readonly CaptureRecord[],
  dates: CaptureDateText,
): Promise<void> {
  for (let start = 0; start < records.length; start += PG_INSERT_ROWS_PER_STATEMENT) {
    const chunk = records.slice(start, start + PG_INSERT_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    for (const r of chunk) pgRowParams(r, dates, params);
    await client.query(pgInsertStatement(table, chunk.length), params);
  }
}
