import { microsToIso } from './db-time';
import type { DbRow } from './search-db';

/** One row of a search result, as the API returns it. */
export interface SearchRow {
  table: string;
  id: string;
  /** Capture time from micro_ts, ISO 8601 with microseconds. */
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

/** One message of a call: the columns the ladder and the exports need, and the bytes as captured. */
export interface CallMessage {
  table: string;
  id: string;
  date: string;
  micro_ts: string;
  method: string;
  reply_reason: string;
  ruri_user: string;
  from_user: string;
  to_user: string;
  callid: string;
  callid_aleg: string;
  correlation_id: string;
  cseq: string;
  source_ip: string;
  source_port: number;
  destination_ip: string;
  destination_port: number;
  proto: number;
  family: number;
  node: string;
  type: number;
  msg: Buffer;
}

export const str = (v: unknown): string => (v === null || v === undefined ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
const int = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
export const micros = (v: unknown): bigint => {
  try {
    return BigInt(str(v) || '0');
  } catch {
    return 0n;
  }
};

export function toSearchRow(r: DbRow, table: string): SearchRow {
  const microTs = micros(r.micro_ts);
  return {
    table,
    id: str(r.id),
    date: microsToIso(microTs),
    micro_ts: String(microTs),
    method: str(r.method),
    reply_reason: str(r.reply_reason),
    ruri_user: str(r.ruri_user),
    from_user: str(r.from_user),
    to_user: str(r.to_user),
    pid_user: str(r.pid_user),
    callid: str(r.callid),
    callid_aleg: str(r.callid_aleg),
    cseq: str(r.cseq),
    source_ip: str(r.source_ip),
    source_port: int(r.source_port),
    destination_ip: str(r.destination_ip),
    destination_port: int(r.destination_port),
    proto: int(r.proto),
    family: int(r.family),
    node: str(r.node),
    type: int(r.type),
    user_agent: str(r.user_agent),
  };
}

export function toCallMessage(r: DbRow, table: string): CallMessage {
  const microTs = micros(r.micro_ts);
  const msg = r.msg;
  return {
    table,
    id: str(r.id),
    date: microsToIso(microTs),
    micro_ts: String(microTs),
    method: str(r.method),
    reply_reason: str(r.reply_reason),
    ruri_user: str(r.ruri_user),
    from_user: str(r.from_user),
    to_user: str(r.to_user),
    callid: str(r.callid),
    callid_aleg: str(r.callid_aleg),
    correlation_id: str(r.correlation_id),
    cseq: str(r.cseq),
    source_ip: str(r.source_ip),
    source_port: int(r.source_port),
    destination_ip: str(r.destination_ip),
    destination_port: int(r.destination_port),
    proto: int(r.proto),
    family: int(r.family),
    node: str(r.node),
    type: int(r.type),
    msg: Buffer.isBuffer(msg) ? msg : Buffer.from(str(msg), 'utf8'),
  };
}
