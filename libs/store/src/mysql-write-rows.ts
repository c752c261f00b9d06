import type { CaptureRecord } from '@sipcap/record';
import { ByteWriter, escapeTable } from './byte-writer';
import { COLUMNS, COLUMN_KINDS, columnValues, totalMsgBytes } from './columns';
import { CaptureDateText } from './capture-date';
import { quoteMysql } from '@sipcap/schema';

/** The columns a MySQL row is written with, in order: date, then the record columns (msg last). */
export const MYSQL_ROW_COLUMNS: readonly string[] = ['date', ...COLUMNS];
/** MYSQL_ROW_COLUMNS quoted, for the column list of an INSERT or LOAD DATA. */
export const MYSQL_COLUMN_LIST = MYSQL_ROW_COLUMNS.map(quoteMysql).join(', ');
const LAST_BEFORE_MSG = COLUMNS.length - 1;

/**
 * String literal escapes, those of mysql2's client-side placeholders (mysql_real_escape_string's set plus
 * tab and backspace): NUL, backspace, tab, LF, CR, backslash, both quotes and Ctrl-Z. Safe on a utf8mb4 connection (no multi-byte sequence
 * holds an ASCII byte) whose sql_mode lacks NO_BACKSLASH_ESCAPES (see MYSQL_SESSION_SETUP).
 */
export const MYSQL_ESCAPES = escapeTable({
  0x00: '0',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0d: 'r',
  0x1a: 'Z',
  0x22: '"',
  0x27: "'",
  0x5c: '\\',
});

const QUOTE = 0x27;
const COMMA = 0x2c;

/** One row as a VALUES tuple: text quoted and escaped, integers checked by checkRecord, msg as a hex literal. */
export function writeMysqlTuple(w: ByteWriter, r: CaptureRecord, dates: CaptureDateText): void {
  const values = columnValues(r);
  w.ascii("('");
  w.ascii(dates.seconds(r.micro_ts));
  w.byte(QUOTE);
  for (let i = 0; i < LAST_BEFORE_MSG; i++) {
    w.byte(COMMA);
    const v = values[i];
    const kind = COLUMN_KINDS[i];
    if (kind === 'text') {
      w.byte(QUOTE);
      w.escapedText(v as string, MYSQL_ESCAPES);
      w.byte(QUOTE);
    } else if (kind === 'int') {
      w.int(v as number);
    } else {
      w.ascii(String(v));
    }
  }
  // A hex literal reaches the mediumblob as the exact bytes, untouched by any character set.
  w.ascii(",X'");
  w.hex(r.msg);
  w.ascii("')");
}

/**
 * Multi-row INSERT statements for the records, each at most `maxBytes` long (kept under the server's
 * max_allowed_packet by the caller; a single larger row is sent alone). `delayed` writes INSERT DELAYED.
 * Values are written into one buffer per batch; each statement is one string cut from it.
 */
export function mysqlInsertStatements(
  table: string,
  records: readonly CaptureRecord[],
  dates: CaptureDateText,
  maxBytes: number,
  delayed: boolean,
): string[] {
  const head = `INSERT ${delayed ? 'DELAYED ' : ''}INTO ${quoteMysql(table)} (${MYSQL_COLUMN_LIST}) VALUES `;
  const msgBytes = totalMsgBytes(records);
  const w = new ByteWriter(msgBytes * 2 + records.length * 768);
  const statements: string[] = [];
  let from = 0; // where the tuples of the current statement start
  let tuples = 0;
  for (const r of records) {
    const comma = w.length;
    if (tuples > 0) w.byte(COMMA);
    const start = w.length;
    writeMysqlTuple(w, r, dates);
    if (tuples > 0 && head.length + w.length - from > maxBytes) {
      statements.push(head + w.result().toString('utf8', from, comma));
      from = start;
      tuples = 0;
    }
    tuples++;
  }
  if (tuples > 0) statements.push(head + w.result().toString('utf8', from, w.length));
  return statements;
}
