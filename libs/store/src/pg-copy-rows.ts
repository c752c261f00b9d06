import type { CaptureRecord } from '@sipcap/record';
import { COLUMNS, COLUMN_KINDS, columnValues, totalMsgBytes } from './columns';
import { ByteWriter } from './byte-writer';
import { CaptureDateText } from './capture-date';
import { COPY_ESCAPES } from './copy-text';
import { msgFitsPgText, msgLossyText } from './pg-msg';

/** The columns a PostgreSQL row is written with, in order: date, the record columns, msg_raw. */
export const PG_ROW_COLUMNS: readonly string[] = ['date', ...COLUMNS, 'msg_raw'];

const LAST_BEFORE_MSG = COLUMNS.length - 1; // msg is the last record column
const TAB = 0x09;
const LF = 0x0a;

/**
 * Encodes records as COPY text data for PG_ROW_COLUMNS, into one buffer for the whole batch.
 * The record values must have passed checkRecord.
 */
export function encodeCopyRows(records: readonly CaptureRecord[], dates: CaptureDateText = new CaptureDateText()): Buffer {
  const msgBytes = totalMsgBytes(records);
  const w = new ByteWriter(msgBytes + (msgBytes >> 3) + records.length * 768);
  for (const r of records) {
    const values = columnValues(r);
    w.ascii(dates.micros(r.micro_ts));
    for (let i = 0; i < LAST_BEFORE_MSG; i++) {
      w.byte(TAB);
      const v = values[i];
      const kind = COLUMN_KINDS[i];
      if (kind === 'text') w.escapedText(v as string, COPY_ESCAPES);
      else if (kind === 'int') w.int(v as number);
      else w.ascii(String(v));
    }
    w.byte(TAB);
    if (msgFitsPgText(r.msg)) {
      w.escapedBytes(r.msg, COPY_ESCAPES);
      w.ascii('\t\\N\n');
    } else {
      // Readable text in msg, exact bytes in msg_raw as bytea hex (its backslash escaped for COPY).
      w.escapedText(msgLossyText(r.msg), COPY_ESCAPES);
      w.ascii('\t\\\\x');
      w.hex(r.msg);
      w.byte(LF);
    }
  }
  return w.result();
}
