import { isValidTableName } from '@sipcap/schema';

/**
 * The keyset position of the last row of a page: results are ordered by `date` DESC, `id` DESC and
 * table name DESC, so the next page is everything strictly after this triple. `date` is the column's
 * own text (exact: no rounding through a JS Date), `id` the decimal id.
 */
export interface Cursor {
  date: string;
  id: string;
  table: string;
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;
const ID_TEXT = /^\d{1,20}$/;

/** Opaque, URL-safe text of a cursor. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.date, c.id, c.table])).toString('base64url');
}

/** The cursor of `encodeCursor`, or undefined when the text is not one (never throws). */
export function decodeCursor(text: string): Cursor | undefined {
  if (text.length > 400 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'string')) return undefined;
  const [date, id, table] = v as string[];
  if (!DATE_TEXT.test(date) || !ID_TEXT.test(id) || !isValidTableName(table)) return undefined;
  return { date, id, table };
}
