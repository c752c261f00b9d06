import { COLUMN_WORDS, EncodedRecord, type CaptureRecord } from '@sipcap/record';
import { ByteWriter, escapeTable } from './byte-writer';
import { COLUMN_KINDS, columnValues, type ColumnKind, totalMsgBytes } from './columns';
import { CaptureDateText } from './capture-date';
import { quoteMysql } from '@sipcap/schema';
import { MYSQL_COLUMN_LIST, MYSQL_ROW_COLUMNS } from './mysql-write-rows';

/**
 * Rows for MariaDB's COM_STMT_BULK_EXECUTE: one prepared INSERT executed for many rows in one command,
 * every value in the binary protocol (a length and the bytes as they are). The server parses no text, and
 * two connections insert into one table side by side (bench/mysql-load.bench.ts: 43,000-46,000 rows/s
 * against 31,000-33,000 for one), where LOAD DATA takes turns: under the default
 * innodb_autoinc_lock_mode=1 it holds the table's AUTO-INC lock for the whole statement.
 * https://mariadb.com/kb/en/com_stmt_bulk_execute/
 */
const COM_STMT_BULK_EXECUTE = 0xfa;
/** The parameters' types follow the flags (no earlier execute set them). */
const SEND_TYPES_TO_SERVER = 128;
/** Parameter indicator: a value follows. */
const INDICATOR_NONE = 0;
/** Field types of the binary protocol. */
const MYSQL_TYPE_LONG = 3;
const MYSQL_TYPE_LONGLONG = 8;
const MYSQL_TYPE_BLOB = 252; // bytes, never converted from the connection's character set
const MYSQL_TYPE_VAR_STRING = 253;

/** The date column (text, as LOAD DATA and INSERT write it), then the record's columns. */
const PARAM_TYPES: readonly number[] = [MYSQL_TYPE_VAR_STRING, ...COLUMN_KINDS.map(paramType)];
const HEADER_BYTES = 4 + 1 + 4 + 2 + 2 * PARAM_TYPES.length;
/** Bytes a row takes besides its values: an indicator and up to 9 length bytes per parameter. */
const ROW_OVERHEAD = 10 * PARAM_TYPES.length;
/** Nothing is escaped in the binary protocol (the table is ByteWriter's way of saying "as is"). */
const AS_IS = escapeTable({});

function paramType(kind: ColumnKind): number {
  if (kind === 'micros') return MYSQL_TYPE_LONGLONG;
  if (kind === 'int') return MYSQL_TYPE_LONG;
  return kind === 'bytes' ? MYSQL_TYPE_BLOB : MYSQL_TYPE_VAR_STRING;
}

/** The INSERT that `mariadbBulkCommands` executes, prepared once per table and connection. */
export function mariadbBulkStatement(table: string): string {
  return `INSERT INTO ${quoteMysql(table)} (${MYSQL_COLUMN_LIST}) VALUES (${MYSQL_ROW_COLUMNS.map(() => '?').join(', ')})`;
}

/**
 * `records` as bulk-execute commands of the prepared INSERT `statementId` (its columns MYSQL_ROW_COLUMNS),
 * each a whole MySQL packet with its 4 header bytes left for the connection to fill and at most
 * `maxBytes` long (a row larger than that goes alone), written one after the other into `w`'s buffer (a
 * reused writer keeps its buffer's pages: SpareWriters).
 */
export function mariadbBulkCommands(
  statementId: number,
  records: readonly CaptureRecord[],
  dates: CaptureDateText,
  maxBytes: number,
  w = new ByteWriter(),
): Buffer[] {
  const msgBytes = totalMsgBytes(records);
  w.reserve(msgBytes + records.length * 640 + HEADER_BYTES); // ~510 bytes a row besides msg in bench/sip-messages
  const starts: number[] = [];
  let rows = 0;
  for (const r of records) {
    if (rows === 0 || w.length - starts[starts.length - 1] + maxRowBytes(r) > maxBytes) {
      starts.push(w.length);
      writeHeader(w, statementId);
      rows = 0;
    }
    w.byte(INDICATOR_NONE);
    const at = w.reserveLenenc();
    w.ascii(dates.seconds(r.micro_ts));
    w.patchLenenc(at);
    if (r instanceof EncodedRecord) writeEncodedValues(w, r);
    else writeValues(w, r);
    rows++;
  }
  const all = w.result();
  return starts.map((start, i) => all.subarray(start, i + 1 < starts.length ? starts[i + 1] : all.length));
}

function writeHeader(w: ByteWriter, statementId: number): void {
  w.le32(0); // the packet header, written by the connection
  w.byte(COM_STMT_BULK_EXECUTE);
  w.le32(statementId);
  w.le16(SEND_TYPES_TO_SERVER);
  for (const t of PARAM_TYPES) {
    w.byte(t);
    w.byte(0); // signed
  }
}

/** At least the bytes a row takes (text written from latin1 may double; strings take up to 3 bytes a code unit). */
function maxRowBytes(r: CaptureRecord): number {
  if (r instanceof EncodedRecord) return 2 * r.value.length + ROW_OVERHEAD;
  let n = r.msg.length + ROW_OVERHEAD;
  for (const v of columnValues(r)) if (typeof v === 'string') n += 3 * v.length;
  return n;
}

function writeValues(w: ByteWriter, r: CaptureRecord): void {
  const values = columnValues(r);
  for (let i = 0; i < COLUMN_KINDS.length; i++) {
    w.byte(INDICATOR_NONE);
    const v = values[i];
    const kind = COLUMN_KINDS[i];
    if (kind === 'micros') w.le64(v as bigint);
    else if (kind === 'int') w.le32(v as number);
    else if (kind === 'bytes') writeBytes(w, v as Buffer);
    else {
      const at = w.reserveLenenc();
      w.escapedText(v as string, AS_IS);
      w.patchLenenc(at);
    }
  }
}

const words = new Int32Array(COLUMN_WORDS);

/** The same values copied from the bytes of the record's Kafka value (as mysql-load-rows does). */
function writeEncodedValues(w: ByteWriter, r: EncodedRecord): void {
  r.columns(words);
  const value = r.value;
  for (let i = 0; i < COLUMN_KINDS.length; i++) {
    w.byte(INDICATOR_NONE);
    const kind = COLUMN_KINDS[i];
    const a = words[2 * i];
    const b = words[2 * i + 1];
    if (kind === 'micros') w.le64(r.micro_ts);
    else if (kind === 'int') w.le32(a);
    else if (kind === 'bytes') writeBytes(w, r.msg);
    else {
      const at = w.reserveLenenc();
      w.encodedText(value, a, b, AS_IS);
      w.patchLenenc(at);
    }
  }
}

function writeBytes(w: ByteWriter, b: Buffer): void {
  w.lenenc(b.length);
  w.bytes(b);
}
