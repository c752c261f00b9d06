import { COLUMN_WIDTH, type StringColumn } from './capture-record';

/**
 * Cuts `value` to at most `width` UTF-16 code units, never between the two halves of a surrogate
 * pair. varchar(n) counts characters (code points) in PostgreSQL and in MySQL/MariaDB utf8mb4, and a
 * code point is one or two UTF-16 units, so the result always fits the column.
 */
export function truncate(value: string, width: number): string {
  if (value.length <= width) return value;
  let end = width;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate whose pair would be cut off
  return value.substring(0, end);
}

/** `value` cut to the width of `column` (see COLUMN_WIDTH). */
export function fitColumn(column: StringColumn, value: string): string {
  return truncate(value, COLUMN_WIDTH[column]);
}
