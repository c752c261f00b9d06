import { EncodedRecord, isReportRecord, REPORT_KINDS, type CaptureRecord, type ReportRecord } from '@sipcap/record';
import { COLUMNS, COLUMN_KINDS, columnValues } from './columns';
import { MICRO_TS_LIMIT } from './capture-date';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Checks the value types a row needs before any of it is sent: a NaN or a non-integer would otherwise
 * reach the COPY data or the MySQL statement as text the server misreads. Returns why the row is bad,
 * or undefined when it is fine.
 */
export function checkRecord(r: CaptureRecord | ReportRecord): string | undefined {
  if (isReportRecord(r)) return checkReportRecord(r);
  // Read from a Kafka value: strings, 8-32-bit integers and a Buffer by construction; only the time can be off.
  if (r instanceof EncodedRecord) return checkMicroTs(r.micro_ts);
  const values = columnValues(r);
  for (let i = 0; i < COLUMNS.length; i++) {
    const c = COLUMNS[i];
    const v = values[i];
    switch (COLUMN_KINDS[i]) {
      case 'text':
        if (typeof v !== 'string') return `${c} is not a string`;
        break;
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) return `${c} is not a 32-bit integer`;
        break;
      case 'micros':
        if (typeof v !== 'bigint') return BAD_TIME;
        if (checkMicroTs(v)) return BAD_TIME;
        break;
      case 'bytes':
        if (!Buffer.isBuffer(v)) return 'msg is not a Buffer';
        break;
    }
  }
  return undefined;
}

const BAD_TIME = 'micro_ts is not a capture time from 1970 to 9999';

function checkMicroTs(v: bigint): string | undefined {
  return v < 0n || v >= MICRO_TS_LIMIT ? BAD_TIME : undefined;
}

/** The same checks for a report record (strings, 32-bit integers, a capture time, a known kind). */
function checkReportRecord(r: ReportRecord): string | undefined {
  if (!REPORT_KINDS.includes(r.kind)) return `report kind ${JSON.stringify(r.kind)} is unknown`;
  if (typeof r.micro_ts !== 'bigint' || checkMicroTs(r.micro_ts)) return BAD_TIME;
  for (const c of ['correlation_id', 'source_ip', 'destination_ip', 'node', 'msg'] as const) {
    if (typeof r[c] !== 'string') return `${c} is not a string`;
  }
  for (const c of ['source_port', 'destination_port', 'proto', 'family', 'type'] as const) {
    const v = r[c];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) return `${c} is not a 32-bit integer`;
  }
  return undefined;
}
