import { COLUMN_WORDS, EncodedRecord, type CaptureRecord } from '@sipcap/record';
import { ByteWriter, escapeTable } from './byte-writer';
import { COLUMNS, COLUMN_KINDS, columnValues, totalMsgBytes } from './columns';
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
    case 'micros':
      return ['bigint'];
    case 'int':
      return ['integer'];
    case 'bytes':
      return ['text'];
    default:
      return ['character varying', 'text']; // same binary form: the UTF-8 bytes
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const FIELDS = 1 + COLUMNS.length + 1; // date, the record columns, msg_raw
const LAST_BEFORE_MSG = COLUMNS.length - 1; // msg is the last record column
/** Text cannot hold NUL: it becomes U+FFFD, as in the text format. Nothing else is escaped. */
const NUL_ONLY = escapeTable({ 0x00: -1 });

/**
 * Encodes records as COPY binary data for PG_ROW_COLUMNS, into `w` (a reused one keeps its buffer's pages:
 * SpareWriters). Values must have passed checkRecord.
 */
export function encodeCopyBinary(records: readonly CaptureRecord[], w = new ByteWriter()): Buffer {
  const msgBytes = totalMsgBytes(records);
  w.reserve(msgBytes + records.length * 900 + 32);
  w.bytes(SIGNATURE);
  w.int32(0); // flags
  w.int32(0); // header extension length
  for (const r of records) {
    w.int16(FIELDS);
    w.int32(8);
    w.int64(r.micro_ts - PG_EPOCH_MICROS); // date
    w.int32(8);
    w.int64(r.micro_ts); // micro_ts, the first of COLUMNS
    if (r instanceof EncodedRecord) writeEncodedColumns(w, r);
    else writeColumns(w, r);
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

/** The columns between micro_ts and msg (text or int), from the record's values. */
function writeColumns(w: ByteWriter, r: CaptureRecord): void {
  const values = columnValues(r);
  for (let i = 1; i < LAST_BEFORE_MSG; i++) {
    const v = values[i];
    if (COLUMN_KINDS[i] === 'text') {
      const at = w.reserveLength();
      w.escapedText(v as string, NUL_ONLY);
      w.patchLength(at);
    } else {
      w.int32(4);
      w.int32(v as number);
    }
  }
}

const words = new Int32Array(COLUMN_WORDS);

/** The same columns copied from the bytes of the record's Kafka value, without decoding them. */
function writeEncodedColumns(w: ByteWriter, r: EncodedRecord): void {
  r.columns(words);
  const value = r.value;
  for (let i = 1; i < LAST_BEFORE_MSG; i++) {
    const a = words[2 * i];
    const b = words[2 * i + 1];
    if (COLUMN_KINDS[i] !== 'text') {
      w.int32(4);
      w.int32(a);
      continue;
    }
    const at = w.reserveLength();
    w.encodedText(value, a, b, NUL_ONLY);
    w.patchLength(at);
  }
}
