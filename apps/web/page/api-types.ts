/** The JSON the API returns (see apps/web/README.md). */

export interface SearchRow {
  table: string;
  id: string;
  date: string;
  micro_ts: string;
  method: string;
  reply_reason: string;
  ruri_user: string;
  from_user: string;
  to_user: string;
  pid_user: string;
  callid: string;
  callid_aleg: string;
  cseq: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  proto: number;
  family: number;
  node: string;
  type: number;
  user_agent: string;
}

export interface SearchResult {
  from: string;
  to: string;
  tables: string[];
  rows: SearchRow[];
  hasMore: boolean;
  next?: string;
}

export interface CallMessage {
  table: string;
  id: string;
  date: string;
  micro_ts: string;
  method: string;
  reply_reason: string;
  callid: string;
  callid_aleg: string;
  correlation_id: string;
  cseq: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  proto: number;
  node: string;
  type: number;
  /** The message bytes, base64. */
  msg: string;
}

export interface CallResult {
  callid: string;
  callids: string[];
  from: string;
  to: string;
  messages: CallMessage[];
  truncated: boolean;
}
