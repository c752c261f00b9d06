import { Readable } from 'node:stream';
import { COLUMN_WORDS, EncodedRecord, type CaptureRecord } from '@sipcap/record';
import { ByteWriter, escapeTable } from './byte-writer';
import { COLUMN_KINDS, columnValues, totalMsgBytes } from './columns';
import { CaptureDateText } from './capture-date';
import { quoteMysql } from '@sipcap/schema';
import { MYSQL_COLUMN_LIST } from './mysql-write-rows';

/**
 * Rows for `LOAD DATA LOCAL INFILE`, MySQL's fastest bulk load (about 1.5x multi-row INSERT on this
 * machine: no SQL to parse, no hex for msg): fields ended by the ASCII unit separator, lines by the record
 * separator (bytes SIP does not use, unlike tab and newline: a SIP message then needs no escape at all and
 * is copied as it is), backslash escapes for those two, backslash and NUL, and the file read as CHARACTER
 * SET binary, so every byte reaches its column as it is (text columns the records' UTF-8, msg its bytes).
 */
const FIELD_END = 0x1f;
const LINE_END = 0x1e;
const BACKSLASH = 0x5c;
const LOAD_ESCAPES = escapeTable({ 0x00: '0', [FIELD_END]: '\x1f', [LINE_END]: '\x1e', [BACKSLASH]: '\\' });
const LAST_BEFORE_MSG = COLUMN_KINDS.length - 1;

/**
 * The rows of `records`, in one pass into one buffer (no string per row or field). Records read from Kafka
 * (EncodedRecord) have their columns' bytes copied from the Kafka value, escaped on the way, without
 * decoding their strings: decoding and its garbage were a fifth of the writer's time on this path.
 */
export function mysqlLoadRows(records: readonly CaptureRecord[], dates: CaptureDateText, w = new ByteWriter()): Buffer {
  const msgBytes = totalMsgBytes(records);
  w.reserve(msgBytes + (msgBytes >> 4) + records.length * 512);
  for (const r of records) {
    w.ascii(dates.seconds(r.micro_ts));
    if (r instanceof EncodedRecord) writeEncodedFields(w, r);
    else writeFields(w, r);
    w.byte(FIELD_END);
    writeMsg(w, r.msg);
    w.byte(LINE_END);
  }
  return w.result();
}

/** msg as it is when it holds none of the escaped bytes (memchr-fast checks), escaped otherwise. */
function writeMsg(w: ByteWriter, msg: Buffer): void {
  if (msg.indexOf(BACKSLASH) < 0 && msg.indexOf(LINE_END) < 0 && msg.indexOf(FIELD_END) < 0 && msg.indexOf(0) < 0) w.bytes(msg);
  else w.escapedBytes(msg, LOAD_ESCAPES);
}

/** The fields from micro_ts to the one before msg, each after a tab, from the record's values. */
function writeFields(w: ByteWriter, r: CaptureRecord): void {
  const values = columnValues(r);
  for (let i = 0; i < LAST_BEFORE_MSG; i++) {
    w.byte(FIELD_END);
    const v = values[i];
    const kind = COLUMN_KINDS[i];
    if (kind === 'text') w.escapedText(v as string, LOAD_ESCAPES);
    else if (kind === 'int') w.int(v as number);
    else w.ascii(String(v));
  }
}

const words = new Int32Array(COLUMN_WORDS);

/** The same fields copied from the bytes of the record's Kafka value (as pg-copy-binary does). */
function writeEncodedFields(w: ByteWriter, r: EncodedRecord): void {
  r.columns(words);
  const value = r.value;
  for (let i = 0; i < LAST_BEFORE_MSG; i++) {
    w.byte(FIELD_END);
    const kind = COLUMN_KINDS[i];
    const a = words[2 * i];
    const b = words[2 * i + 1];
    if (kind === 'micros') w.ascii(String(r.micro_ts));
    else if (kind === 'int') w.int(a);
    else w.encodedText(value, a, b, LOAD_ESCAPES);
  }
}

/** The statement that loads `mysqlLoadRows` output into a capture table (the stream is handed over by mysql2). */
export function mysqlLoadStatement(table: string): string {
  return (
    `LOAD DATA LOCAL INFILE 'sipcap-rows' INTO TABLE ${quoteMysql(table)} CHARACTER SET binary ` +
    `FIELDS TERMINATED BY X'1f' ESCAPED BY '\\\\' LINES TERMINATED BY X'1e' (${MYSQL_COLUMN_LIST})`
  );
}

/** Each chunk of the stream travels as one packet: well under any max_allowed_packet. */
const CHUNK_BYTES = 64 * 1024;

/** mysql2's option for the file the server asks for: the rows already in memory, in slices (no copy). */
export function inMemoryInfile(rows: Buffer): { infileStreamFactory: () => Readable } {
  return {
    infileStreamFactory: () =>
      Readable.from(
        (function* () {
          for (let at = 0; at < rows.length; at += CHUNK_BYTES) yield rows.subarray(at, at + CHUNK_BYTES);
        })(),
      ),
  };
}
