/**
 * One captured SIP message, as it travels from an agent through Kafka to the db-writer.
 * Field names are the columns of Kamailio's `sip_capture` table (see capture-record.md);
 * `id` and `date` are left to the database (`date` is derived from `micro_ts`).
 */
export interface CaptureRecord {
  /** Capture time, microseconds since the epoch. bigint: it exceeds 2^53 only in year 2255, but the column is bigint. */
  micro_ts: bigint;
  method: string;
  reply_reason: string;
  ruri: string;
  ruri_user: string;
  ruri_domain: string;
  from_user: string;
  from_domain: string;
  from_tag: string;
  to_user: string;
  to_domain: string;
  to_tag: string;
  pid_user: string;
  contact_user: string;
  auth_user: string;
  callid: string;
  callid_aleg: string;
  via_1: string;
  via_1_branch: string;
  cseq: string;
  diversion: string;
  reason: string;
  content_type: string;
  auth: string;
  user_agent: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  contact_ip: string;
  contact_port: number;
  originator_ip: string;
  originator_port: number;
  expires: number;
  correlation_id: string;
  custom_field1: string;
  custom_field2: string;
  custom_field3: string;
  proto: number;
  family: number;
  rtp_stat: string;
  type: number;
  node: string;
  /** The whole SIP message, bytes exactly as captured (not necessarily valid UTF-8). */
  msg: Buffer;
}

/** Transport numbering of the `proto` column (Kamailio's). */
export const Proto = { UDP: 1, TCP: 2, TLS: 3, SCTP: 4, WS: 5, WSS: 6 } as const;

/** Address family numbering of the `family` column. */
export const Family = { IPV4: 2, IPV6: 10 } as const;

/** `type` column: 1 request, 2 reply. */
export const MessageType = { REQUEST: 1, REPLY: 2 } as const;

/** Column widths of `sip_capture` (varchar(n)); values are truncated to these, never rejected. */
export const COLUMN_WIDTH = {
  method: 50,
  reply_reason: 100,
  ruri: 200,
  ruri_user: 100,
  ruri_domain: 150,
  from_user: 100,
  from_domain: 150,
  from_tag: 64,
  to_user: 100,
  to_domain: 150,
  to_tag: 64,
  pid_user: 100,
  contact_user: 120,
  auth_user: 120,
  callid: 120,
  callid_aleg: 120,
  via_1: 256,
  via_1_branch: 80,
  cseq: 25,
  diversion: 256,
  reason: 200,
  content_type: 256,
  auth: 256,
  user_agent: 256,
  source_ip: 60,
  destination_ip: 60,
  contact_ip: 60,
  originator_ip: 60,
  correlation_id: 256,
  custom_field1: 120,
  custom_field2: 120,
  custom_field3: 120,
  rtp_stat: 256,
  node: 125,
} as const satisfies Partial<Record<keyof CaptureRecord, number>>;

export type StringColumn = keyof typeof COLUMN_WIDTH;

/** The columns in table order (without id and date), as the store writes them. */
export const COLUMNS = [
  'micro_ts',
  'method',
  'reply_reason',
  'ruri',
  'ruri_user',
  'ruri_domain',
  'from_user',
  'from_domain',
  'from_tag',
  'to_user',
  'to_domain',
  'to_tag',
  'pid_user',
  'contact_user',
  'auth_user',
  'callid',
  'callid_aleg',
  'via_1',
  'via_1_branch',
  'cseq',
  'diversion',
  'reason',
  'content_type',
  'auth',
  'user_agent',
  'source_ip',
  'source_port',
  'destination_ip',
  'destination_port',
  'contact_ip',
  'contact_port',
  'originator_ip',
  'originator_port',
  'expires',
  'correlation_id',
  'custom_field1',
  'custom_field2',
  'custom_field3',
  'proto',
  'family',
  'rtp_stat',
  'type',
  'node',
  'msg',
] as const satisfies readonly (keyof CaptureRecord)[];

const NON_STRING_COLUMNS = [
  'micro_ts',
  'msg',
  'source_port',
  'destination_port',
  'contact_port',
  'originator_port',
  'expires',
  'proto',
  'family',
  'type',
] as const;
type NonStringColumn = (typeof NON_STRING_COLUMNS)[number];
const NON_STRING = new Set<string>(NON_STRING_COLUMNS);

/** The string columns in table order: the order of the Kafka encoding too. */
export const STRING_COLUMNS = COLUMNS.filter((c) => !NON_STRING.has(c)) as Exclude<(typeof COLUMNS)[number], NonStringColumn>[];

// The per-column readers (plain property loads, checked by tsc), generated from the lists above.
export { stringColumnValues, hasStringColumnValues, columnValues } from './column-accessors.generated';
