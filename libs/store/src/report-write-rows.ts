import type { PoolClient } from 'pg';
import { REPORT_COLUMNS, REPORT_MYSQL_MSG_WIDTH, truncate, type ReportRecord } from '@sipcap/record';
import { ByteWriter } from './byte-writer';
import { CaptureDateText } from './capture-date';
import { quoteMysql, quotePg } from '@sipcap/schema';
import { MYSQL_ESCAPES } from './mysql-write-rows';
import { replaceNul } from './pg-msg';

/**
 * Rows of the report tables (rtcp_capture, report_capture, logs_capture). Reports are few next to SIP
 * (a few per call and minute), so they take plain multi-row INSERTs, in the same transaction as the
 * SIP rows and the offsets.
 */
const ROW_COLUMNS: readonly string[] = ['date', ...REPORT_COLUMNS];
const PG_LIST = ROW_COLUMNS.map(quotePg).join(', ');
const MYSQL_LIST = ROW_COLUMNS.map(quoteMysql).join(', ');
const PG_ROWS_PER_STATEMENT = Math.floor(65535 / ROW_COLUMNS.length);

/** The parameters of one row in ROW_COLUMNS order (text cannot hold NUL: it becomes U+FFFD). */
function pgParams(r: ReportRecord, dates: CaptureDateText, out: unknown[]): void {
  out.push(
    dates.micros(r.micro_ts),
    String(r.micro_ts),
    replaceNul(r.correlation_id),
    replaceNul(r.source_ip),
    r.source_port,
    replaceNul(r.destination_ip),
    r.destination_port,
    r.proto,
    r.family,
    r.type,
    replaceNul(r.node),
    replaceNul(r.msg),
  );
}

export async function pgInsertReportRows(
  client: PoolClient,
  table: string,
  records: readonly ReportRecord[],
  dates: CaptureDateText,
): Promise<void> {
  for (let start = 0; start < records.length; start += PG_ROWS_PER_STATEMENT) {
    const chunk = records.slice(start, start + PG_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const r of chunk) {
      const at = params.length;
      pgParams(r, dates, params);
      tuples.push(`(${ROW_COLUMNS.map((_, i) => `$${at + i + 1}`).join(',')})`);
    }
    await client.query(`INSERT INTO ${quotePg(table)} (${PG_LIST}) VALUES ${tuples.join(',')}`, params);
  }
}

const QUOTE = 0x27;
const COMMA = 0x2c;

function quoted(w: ByteWriter, s: string): void {
  w.byte(QUOTE);
  w.escapedText(s, MYSQL_ESCAPES);
  w.byte(QUOTE);
}

/**
 * Multi-row INSERT statements, each at most `maxBytes` long (a single larger row is sent alone). msg is
 * cut to Kamailio's varchar(4500) on a character boundary, as every other column is cut to its width.
 */
export function mysqlReportStatements(table: string, records: readonly ReportRecord[], dates: CaptureDateText, maxBytes: number): string[] {
  const head = `INSERT INTO ${quoteMysql(table)} (${MYSQL_LIST}) VALUES `;
  const statements: string[] = [];
  let w = new ByteWriter(64 * 1024);
  let tuples = 0;
  for (const r of records) {
    const row = new ByteWriter(1024);
    row.ascii("('");
    row.ascii(dates.seconds(r.micro_ts));
    row.ascii("',");
    row.ascii(String(r.micro_ts));
    row.byte(COMMA);
    quoted(row, r.correlation_id);
    row.byte(COMMA);
    quoted(row, r.source_ip);
    row.byte(COMMA);
    row.int(r.source_port);
    row.byte(COMMA);
    quoted(row, r.destination_ip);
    for (const v of [r.destination_port, r.proto, r.family, r.type]) {
      row.byte(COMMA);
      row.int(v);
    }
    row.byte(COMMA);
    quoted(row, r.node);
    row.byte(COMMA);
    quoted(row, truncate(r.msg, REPORT_MYSQL_MSG_WIDTH));
    row.byte(0x29);
    const bytes = row.result();
    if (tuples > 0 && head.length + w.length + 1 + bytes.length > maxBytes) {
      statements.push(head + w.result().toString('utf8'));
      w = new ByteWriter(64 * 1024);
      tuples = 0;
    }
    if (tuples > 0) w.byte(COMMA);
    w.bytes(bytes);
    tuples++;
  }
  if (tuples > 0) statements.push(head + w.result().toString('utf8'));
  return statements;
}
