import { COLUMNS, COLUMN_WIDTH, columnValues, type CaptureRecord } from '@sipcap/record';

/** A record column as the store writes it (COLUMNS of @sipcap/record, in table order). */
export type Column = (typeof COLUMNS)[number];

/** How a column is typed and carried: micro_ts bigint, int32 numbers, varchar text, msg bytes. */
export type ColumnKind = 'micros' | 'int' | 'text' | 'bytes';

export function columnKind(c: Column): ColumnKind {
  if (c === 'micro_ts') return 'micros';
  if (c === 'msg') return 'bytes';
  return c in COLUMN_WIDTH ? 'text' : 'int';
}

/** Kinds in COLUMNS order, computed once for the per-row loops. */
export const COLUMN_KINDS: readonly ColumnKind[] = COLUMNS.map(columnKind);

/** The msg bytes of a batch, from which the row encoders size their buffer once. */
export function totalMsgBytes(records: readonly CaptureRecord[]): number {
  let n = 0;
  for (const r of records) n += r.msg.length;
  return n;
}

export { COLUMNS, columnValues };
