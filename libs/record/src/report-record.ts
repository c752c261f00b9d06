import { truncate } from './truncate';

/**
 * A non-SIP HEP payload as Kamailio's sipcapture stores it: RTCP in `rtcp_capture`, QoS reports in
 * `report_capture`, log lines in `logs_capture` (see report-records.md). The three tables share these
 * columns; `kind` says which table family the record goes to. `msg` is text: JSON as the sender sent it,
 * binary RTCP decoded into JSON (@sipcap/rtcp), or the log line.
 */
export interface ReportRecord {
  kind: ReportKind;
  micro_ts: bigint;
  correlation_id: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  proto: number;
  family: number;
  type: number;
  node: string;
  msg: string;
}

export type ReportKind = 'rtcp' | 'report' | 'logs';
export const REPORT_KINDS: readonly ReportKind[] = ['rtcp', 'report', 'logs'];

/** The columns in table order (without id and date). */
export const REPORT_COLUMNS = [
  'micro_ts',
  'correlation_id',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'proto',
  'family',
  'type',
  'node',
  'msg',
] as const satisfies readonly (keyof ReportRecord)[];
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** varchar widths (Kamailio's, as sip_capture's); msg is text (PostgreSQL) / varchar(4500) (MySQL). */
export const REPORT_COLUMN_WIDTH = { correlation_id: 256, source_ip: 60, destination_ip: 60, node: 125 } as const;
/** Kamailio's MySQL `msg varchar(4500)`. */
export const REPORT_MYSQL_MSG_WIDTH = 4500;

/**
 * HEP payload type (chunk 11) → table family and `type` column. 5, 32, 99 and 100 are Kamailio's
 * numbering (report-records.md). 34 (RTP agent QoS JSON) and 35 (RTCP-XR JSON) go to report_capture with
 * their own HEP number as `type`: Kamailio stores them only from its script, and keeping the number apart
 * from 2 and 4 lets a reader tell them from the other reports.
 */
export const REPORT_PAYLOAD_TYPES: ReadonlyMap<number, { kind: ReportKind; type: number; json: boolean }> = new Map([
  [5, { kind: 'rtcp', type: 3, json: true }],
  [32, { kind: 'report', type: 2, json: true }],
  [34, { kind: 'report', type: 34, json: true }],
  [35, { kind: 'report', type: 35, json: true }],
  [99, { kind: 'report', type: 4, json: true }],
  [100, { kind: 'logs', type: 5, json: false }],
]);

/** Whether a stored record (SIP or report) is a report record. */
export function isReportRecord(r: object): r is ReportRecord {
  return (r as { kind?: unknown }).kind !== undefined;
}

export interface BuildReportInput {
  kind: ReportKind;
  type: number;
  msg: string;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  family: number;
  proto: number;
  microTs: bigint;
  correlationId: string;
  captureId?: number;
}

/** A report record from what the agent received; string columns cut to their widths, never rejected. */
export function buildReportRecord(input: BuildReportInput, captureNode: string): ReportRecord {
  const W = REPORT_COLUMN_WIDTH;
  const id = input.captureId ?? 0;
  return {
    kind: input.kind,
    micro_ts: input.microTs,
    correlation_id: truncate(input.correlationId, W.correlation_id),
    source_ip: truncate(input.srcIp, W.source_ip),
    source_port: input.srcPort,
    destination_ip: truncate(input.dstIp, W.destination_ip),
    destination_port: input.dstPort,
    proto: input.proto,
    family: input.family,
    type: input.type,
    node: truncate(id !== 0 ? `${captureNode}:${id}` : captureNode, W.node),
    msg: input.msg,
  };
}
