import { candidateTables } from './candidate-tables';
import type { TimeWindow } from './call-sql';
import { microsToIso } from './db-time';
import { buildReportsSql } from './report-sql';
import type { DbRow, SearchDb } from './search-db';
import { TABLE_KEY } from './search-sql';
import { TableCatalog } from './table-catalog';

export type CallReportKind = 'rtcp' | 'report' | 'logs';
export const CALL_REPORT_KINDS: readonly CallReportKind[] = ['rtcp', 'report', 'logs'];

/** One row of rtcp_capture, report_capture or logs_capture, as the API returns it. */
export interface CallReport {
  kind: CallReportKind;
  table: string;
  id: string;
  /** Capture time from micro_ts, ISO 8601 with microseconds. */
  date: string;
  micro_ts: string;
  correlation_id: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  proto: number;
  family: number;
  /** Kamailio's type column: 3 RTCP, 2/4/34/35 QoS reports, 5 logs. */
  type: number;
  node: string;
  /** JSON (RTCP, QoS reports) or the log line, as stored. */
  msg: string;
}

export interface CallReportsResult {
  /** The correlation ids looked for (the call's Call-IDs). */
  callids: string[];
  from: string;
  to: string;
  /** Each kind oldest first. */
  rtcp: CallReport[];
  reports: CallReport[];
  logs: CallReport[];
  /** A kind had more rows than `maxPerKind`: the oldest are kept. */
  truncated: boolean;
}

export interface CallReportsOptions {
  db: SearchDb;
  /** RTCP_TABLE_NAME, REPORT_TABLE_NAME, LOGS_TABLE_NAME: one name each, strftime fields allowed. */
  tableNames: Readonly<Record<CallReportKind, string>>;
  catalog?: TableCatalog;
  /** Rows read per kind (default 5000). */
  maxPerKind?: number;
  /** Correlation ids per query (default 50, the searcher's linked-id cap). */
  maxIds?: number;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const int = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

function toCallReport(kind: CallReportKind, r: DbRow, table: string): CallReport {
  let microTs = 0n;
  try {
    microTs = BigInt(str(r.micro_ts) || '0');
  } catch {
    // not a number: 0
  }
  return {
    kind,
    table,
    id: str(r.id),
    date: microsToIso(microTs),
    micro_ts: String(microTs),
    correlation_id: str(r.correlation_id),
    source_ip: str(r.source_ip),
    source_port: int(r.source_port),
    destination_ip: str(r.destination_ip),
    destination_port: int(r.destination_port),
    proto: int(r.proto),
    family: int(r.family),
    type: int(r.type),
    node: str(r.node),
    msg: str(r.msg),
  };
}

/**
 * The report records of a call: the rows of the RTCP, QoS report and log tables whose correlation_id
 * (HEP chunk 17, the Call-ID) is one of the call's Call-IDs, in the call's time window. Table names are
 * expanded for the window and only existing tables are read, as the searcher does for sip_capture.
 */
export class CallReports {
  readonly catalog: TableCatalog;
  private readonly maxPerKind: number;
  private readonly maxIds: number;

  constructor(private readonly opts: CallReportsOptions) {
    this.catalog = opts.catalog ?? new TableCatalog(opts.db);
    this.maxPerKind = opts.maxPerKind ?? 5000;
    this.maxIds = opts.maxIds ?? 50;
    for (const kind of CALL_REPORT_KINDS) candidateTables(opts.tableNames[kind], 0, 0); // validates the names now
  }

  async forCall(callids: readonly string[], w: TimeWindow): Promise<CallReportsResult> {
    const ids = [...new Set(callids.filter((id) => id !== ''))].slice(0, this.maxIds);
    const result: CallReportsResult = {
      callids: ids,
      from: new Date(w.fromMs).toISOString(),
      to: new Date(w.toMs).toISOString(),
      rtcp: [],
      reports: [],
      logs: [],
      truncated: false,
    };
    if (ids.length === 0) return result;
    const read = async (kind: CallReportKind): Promise<CallReport[]> => {
      const tables = (await this.catalog.existing(candidateTables(this.opts.tableNames[kind], w.fromMs, w.toMs))).map((t) => t.name);
      if (tables.length === 0) return [];
      const { sql, params } = buildReportsSql(this.opts.db.dialect, tables, w, ids, this.maxPerKind + 1);
      const rows = await this.opts.db.query(sql, params);
      if (rows.length > this.maxPerKind) result.truncated = true;
      return rows.slice(0, this.maxPerKind).map((r) => toCallReport(kind, r, tables[Number(r[TABLE_KEY])]));
    };
    [result.rtcp, result.reports, result.logs] = await Promise.all(CALL_REPORT_KINDS.map(read));
    return result;
  }
}
