import type { CaptureRecord } from '@sipcap/record';
import { ByteWriter, escapeTable } from './byte-writer';
import { COLUMNS, COLUMN_KINDS, columnValues } from './columns';
import { msgFitsPgText, msgLossyText } from './pg-msg';

/**
 * PostgreSQL COPY binary format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"):
 * a signature and two zero words, then per row a 16-bit field count and each field as a 32-bit length
 * (-1 for NULL) and its bytes in the type's binary form, then -1 as a 16-bit trailer.
 *
 * Why: the server no longer parses text (timestamps, integers, escapes), which measured faster per row
 * than the text format, and the writer no longer formats dates or escapes values. The binary form of a
 * value must match the column's type exactly, so the store checks the table's types first (see
 * PG_BINARY_TYPES) and uses the text format for a table whose types differ.
 */

/** The type each column of PG_ROW_COLUMNS must have for these binary values (as format_type() spells it). */
export function pgBinaryType(column: string): readonly string[] {
  if (column === 'date') return ['timestamp without time zone'];
  if (column === 'msg_raw') return ['bytea'];
  switch (COLUMN_KINDS[COLUMNS.indexOf(column as (typeof COLUMNS)[number])]) {
    case 'micros': return ['bigint'];
    case 'int': return ['integer'];
    case 'bytes': return ['text'];
    default: return ['character varying', 'text']; // same binary form: the UTF-8 bytes
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const FIELDS = 1 + COLUMNS.length + 1; // date, the record columns, msg_raw
const LAST_BEFORE_MSG = COLUMNS.length - 1; // msg is the last record column
/** Text cannot hold NUL: it becomes U+FFFD, as in the text format. Nothing else is escaped. */
const NUL_ONLY = escapeTable({ 0x00: -1 });

/** Encodes records as COPY binary data for PG_ROW_COLUMNS. Values must have passed checkRecord. */
export function encodeCopyBinary(records: readonly CaptureRecord[]): Buffer {
  let msgBytes = 0;
  for (const r of records) msgBytes += r.msg.length;
  const w = new ByteWriter(msgBytes + records.length * 900 + 32);
  w.bytes(SIGNATURE);
  w.int32(0); // flags
  w.int32(0); // header extension length
  for (const r of records) {
    const values = columnValues(r);
    w.int16(FIELDS);
    w.int32(8);
    w.int64(r.micro_ts - PG_EPOCH_MICROS);
    for (let i = 0; i < LAST_BEFORE_MSG; i++) {
      const v = values[i];
      const kind = COLUMN_KINDS[i];
      if (kind === 'text') {
        const at = w.reserveLength();
        w.escapedText(v as string, NUL_ONLY);
        w.patchLength(at);
      } else if (kind === 'int') {
        w.int32(4);
        w.int32(v as number);
      } else {
        w.int32(8);
        w.int64(v as bigint);
      }
    }
    if (msgFitsPgText(r.msg)) {
      w.int32(r.msg.length);
      w.bytes(r.msg);
      w.int32(-1);
    } else {
      // Readable text in msg, the exact bytes in msg_raw.
      const at = w.reserveLength();
      w.escapedText(msgLossyText(r.msg), NUL_ONLY);
      w.patchLength(at);
      w.int32(r.msg.length);
      w.bytes(r.msg);
    }
  }
  w.int16(-1);
  return w.result();
}
