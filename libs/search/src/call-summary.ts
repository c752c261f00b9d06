import { microsToIso } from './db-time';
import { micros, str } from './result-rows';
import type { DbRow } from './search-db';

/** One line of the calls view: a call and the legs linked to it. */
export interface CallSummary {
  /** The call's Call-ID (the first leg's), and every leg's, the first first. */
  callid: string;
  callids: string[];
  /** First message's capture time, ISO 8601 with microseconds, and as micro_ts. */
  start: string;
  micro_ts: string;
  /** From the first to the last message of every leg, in milliseconds. */
  durationMs: number;
  from_user: string;
  to_user: string;
  /** The first message's method (INVITE, REGISTER, OPTIONS...). */
  method: string;
  /** The lowest final reply (200..699) to the first leg's INVITE, else to anything in the call; '' without one. */
  status: string;
  legs: number;
  messages: number;
}

/** One Call-ID's figures, from one or more tables (buildCallStatsSql). */
interface LegStats {
  callid: string;
  first: bigint;
  last: bigint;
  messages: number;
  aleg: string;
  corr: string;
  firstFrom: string;
  firstTo: string;
  firstMethod: string;
  inviteStatus: string;
  anyStatus: string;
}

const minText = (a: string, b: string) => (a === '' ? b : b === '' ? a : a < b ? a : b);
const maxText = (a: string, b: string) => (a > b ? a : b);
/** The value of a firstOf() column: the 20-digit time cut off. */
const firstValue = (v: string) => v.slice(20);

/** Adds up one Call-ID's rows of several tables (a call can span a table's boundary). */
function legStats(rows: readonly DbRow[]): Map<string, LegStats> {
  const byId = new Map<string, LegStats & { fromKey: string; toKey: string; methodKey: string }>();
  for (const r of rows) {
    const callid = str(r.callid);
    const first = micros(r.first_ts);
    const last = micros(r.last_ts);
    const cur = byId.get(callid);
    const next = {
      callid,
      first,
      last,
      messages: Number(r.messages),
      aleg: str(r.aleg),
      corr: str(r.corr),
      fromKey: str(r.first_from),
      toKey: str(r.first_to),
      methodKey: str(r.first_method),
      inviteStatus: str(r.invite_status),
      anyStatus: str(r.any_status),
      firstFrom: '',
      firstTo: '',
      firstMethod: '',
    };
    if (cur) {
      next.first = cur.first < first ? cur.first : first;
      next.last = cur.last > last ? cur.last : last;
      next.messages += cur.messages;
      next.aleg = maxText(cur.aleg, next.aleg);
      next.corr = maxText(cur.corr, next.corr);
      next.fromKey = minText(cur.fromKey, next.fromKey);
      next.toKey = minText(cur.toKey, next.toKey);
      next.methodKey = minText(cur.methodKey, next.methodKey);
      next.inviteStatus = minText(cur.inviteStatus, next.inviteStatus);
      next.anyStatus = minText(cur.anyStatus, next.anyStatus);
    }
    byId.set(callid, next);
  }
  const out = new Map<string, LegStats>();
  for (const [id, s] of byId)
    out.set(id, { ...s, firstFrom: firstValue(s.fromKey), firstTo: firstValue(s.toKey), firstMethod: firstValue(s.methodKey) });
  return out;
}

/**
 * The calls of `ids` (newest first, as given): a Call-ID whose A-leg id (callid_aleg) or HEP
 * correlation id is another Call-ID among them is a leg of that one's call, not a line of its own.
 */
export function summarizeCalls(ids: readonly string[], rows: readonly DbRow[]): CallSummary[] {
  const stats = legStats(rows);
  const parentOf = (s: LegStats): string | undefined => {
    for (const link of [s.aleg, s.corr]) if (link !== '' && link !== s.callid && stats.has(link)) return link;
    return undefined;
  };
  /** The call a Call-ID belongs to: its parent's, followed up; a loop of links is one call named by its smallest id. */
  const rootOf = (id: string): string => {
    const path: string[] = [];
    let cur: string | undefined = id;
    while (cur !== undefined) {
      const seen = path.indexOf(cur);
      if (seen >= 0) return path.slice(seen).sort()[0];
      path.push(cur);
      const parent = parentOf(stats.get(cur)!);
      if (parent === undefined) return cur;
      cur = parent;
    }
    return id;
  };
  const legs = new Map<string, LegStats[]>();
  for (const id of ids) {
    if (!stats.has(id)) continue;
    const root = rootOf(id);
    if (!legs.has(root)) legs.set(root, []);
    if (root !== id) legs.get(root)!.push(stats.get(id)!);
  }
  const calls: CallSummary[] = [];
  for (const [root, children] of legs) {
    const head = stats.get(root)!;
    const all = [head, ...children.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))];
    const first = all.reduce((m, s) => (s.first < m ? s.first : m), head.first);
    const last = all.reduce((m, s) => (s.last > m ? s.last : m), head.last);
    calls.push({
      callid: root,
      callids: all.map((s) => s.callid),
      start: microsToIso(first),
      micro_ts: String(first),
      durationMs: Number((last - first) / 1000n),
      from_user: head.firstFrom,
      to_user: head.firstTo,
      method: head.firstMethod,
      status:
        head.inviteStatus ||
        all.map((s) => s.inviteStatus).find(Boolean) ||
        head.anyStatus ||
        all.map((s) => s.anyStatus).find(Boolean) ||
        '',
      legs: all.length,
      messages: all.reduce((n, s) => n + s.messages, 0),
    });
  }
  return calls.sort((a, b) => (BigInt(b.micro_ts) > BigInt(a.micro_ts) ? 1 : BigInt(b.micro_ts) < BigInt(a.micro_ts) ? -1 : 0));
}
