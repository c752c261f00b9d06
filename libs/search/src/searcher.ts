import { candidateTables } from './candidate-tables';
import { encodeCursor } from './cursor';
import { summarizeCalls, type CallSummary } from './call-summary';
import { buildCallIdsSql, buildCallStatsSql } from './calls-sql';
import { buildCorrelationSql, buildLinkSql, buildMessagesSql, TOTAL_MESSAGES, type TimeWindow } from './call-sql';
import { toCallMessage, toSearchRow, type CallMessage, type SearchRow } from './result-rows';
import type { DbRow, SearchDb } from './search-db';
import type { SearchQuery } from './search-query';
import { buildSearchSql, TABLE_KEY } from './search-sql';
import { TableCatalog, type TableInfo } from './table-catalog';

export interface SearchResult {
  from: string;
  to: string;
  /** The tables searched (those of TABLE_NAME that exist for the range). */
  tables: string[];
  rows: SearchRow[];
  /** More rows follow this page. */
  hasMore: boolean;
  /** Cursor of the next (older) page, for `before=`. */
  next?: string;
}

export interface CallsResult {
  from: string;
  to: string;
  tables: string[];
  /** Newest first; a call is counted in when one of its messages matches in the range. */
  calls: CallSummary[];
  /** More Call-IDs matched than `limit`: narrow the range or the filters to see the older ones. */
  hasMore: boolean;
}

export interface CallOptions {
  /** A time of one of the call's messages (e.g. from a search row): the call is looked for around it. */
  atMs?: number;
  /** Where to look for the call when `atMs` is not given; by default the last 7 days. */
  fromMs?: number;
  toMs?: number;
}

export interface CallResult {
  callid: string;
  /** Every Call-ID of the linked legs, the asked one first. */
  callids: string[];
  /** The window the messages were read in. */
  from: string;
  to: string;
  messages: CallMessage[];
  /** More messages than `maxMessages`, or more linked ids than `maxLinkedIds`: the result is cut. */
  truncated: boolean;
}

export interface SearcherOptions {
  db: SearchDb;
  /** TABLE_NAME: `|`-separated names with strftime fields. */
  tableName: string;
  catalog?: TableCatalog;
  now?: () => number;
  /** Messages are read this far around the call's first and last message (default one day). */
  callWindowMs?: number;
  maxMessages?: number;
  /** Bytes of messages one call view reads at most (WEB_EXPORT_MAX_BYTES); the rest is cut like `maxMessages`'. */
  maxCallBytes?: number;
  maxLinkedIds?: number;
}

const DAY_MS = 86_400_000;
/** A call found in the range is summed up to this long after it (its BYE may come after the range's end). */
const CALL_TAIL_MS = 3_600_000;
/**
 * correlation_id has no index, so legs linked only through it are looked for in a short window around the
 * call's first message (its cost grows with the traffic in the window): such legs start with the call,
 * or after a ringing timeout (forwarding on no answer). Legs found there bring the rest of their
 * messages through the callid index.
 */
const CORRELATION_BEFORE_MS = 10_000;
const CORRELATION_AFTER_MS = 120_000;
const LINK_ROWS_MAX = 20_000;
const LINK_ROUNDS_MAX = 4;

const iso = (ms: number) => new Date(ms).toISOString();

/** Searches and call views over the TABLE_NAME tables of one database. */
export class Searcher {
  readonly catalog: TableCatalog;
  private readonly now: () => number;
  private readonly callWindowMs: number;
  private readonly maxMessages: number;
  private readonly maxCallBytes: number;
  private readonly maxLinkedIds: number;

  constructor(private readonly opts: SearcherOptions) {
    this.catalog = opts.catalog ?? new TableCatalog(opts.db);
    this.now = opts.now ?? Date.now;
    this.callWindowMs = opts.callWindowMs ?? DAY_MS;
    this.maxMessages = opts.maxMessages ?? 5000;
    this.maxCallBytes = opts.maxCallBytes ?? 64 * 1024 * 1024;
    this.maxLinkedIds = opts.maxLinkedIds ?? 50;
    candidateTables(opts.tableName, 0, 0); // validates TABLE_NAME now
  }

  /** The existing tables for a time range, sorted by name. */
  async tables(fromMs: number, toMs: number): Promise<TableInfo[]> {
    return this.catalog.existing(candidateTables(this.opts.tableName, fromMs, toMs));
  }

  async search(q: SearchQuery): Promise<SearchResult> {
    const tables = await this.tables(q.fromMs, q.toMs);
    const result: SearchResult = { from: iso(q.fromMs), to: iso(q.toMs), tables: tables.map((t) => t.name), rows: [], hasMore: false };
    if (tables.length === 0) return result;
    const names = tables.map((t) => t.name);
    const { sql, params } = buildSearchSql(this.opts.db.dialect, names, q);
    const rows = await this.opts.db.query(sql, params);
    result.hasMore = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    result.rows = page.map((r) => toSearchRow(r, names[Number(r[TABLE_KEY])]));
    if (result.hasMore) {
      const last = page[page.length - 1];
      result.next = encodeCursor({ date: String(last.date), id: String(last.id), table: names[Number(last[TABLE_KEY])] });
    }
    return result;
  }

  /**
   * The calls view: the newest `q.limit` Call-IDs matching the search, each summed up over all its
   * messages (from the range's start to an hour after its end) and merged with the legs linked to it.
   * Two queries: the Call-IDs (grouped in the database), then their figures through the callid index.
   */
  async searchCalls(q: SearchQuery): Promise<CallsResult> {
    const db = this.opts.db;
    const tables = (await this.tables(q.fromMs, q.toMs)).map((t) => t.name);
    const result: CallsResult = { from: iso(q.fromMs), to: iso(q.toMs), tables, calls: [], hasMore: false };
    if (tables.length === 0) return result;
    const idRows = await db.query(...sql(buildCallIdsSql(db.dialect, tables, q, q.limit + 1)));
    result.hasMore = idRows.length > q.limit;
    const ids = idRows.slice(0, q.limit).map((r) => String(r.callid));
    if (ids.length === 0) return result;
    const window: TimeWindow = { fromMs: q.fromMs, toMs: q.toMs + CALL_TAIL_MS };
    const statTables = (await this.tables(window.fromMs, window.toMs)).map((t) => t.name);
    const rows = await db.query(...sql(buildCallStatsSql(db.dialect, statTables, window, ids)));
    result.calls = summarizeCalls(ids, rows);
    return result;
  }

  /**
   * Every message of the call `callid` and of the legs linked to it, in time order: rows whose callid
   * or callid_aleg is a known id, rows whose callid is another leg's callid_aleg or correlation_id, and
   * rows sharing a known correlation_id, repeated until no new leg appears. Undefined when no message
   * of `callid` is found where it is looked for.
   */
  async call(callid: string, o: CallOptions = {}): Promise<CallResult | undefined> {
    const db = this.opts.db;
    const now = this.now();
    const anchor: TimeWindow =
      o.atMs !== undefined
        ? { fromMs: o.atMs - this.callWindowMs, toMs: o.atMs + this.callWindowMs }
        : { fromMs: o.fromMs ?? now - 7 * DAY_MS, toMs: o.toMs ?? now };
    const anchorTables = (await this.tables(anchor.fromMs, anchor.toMs)).map((t) => t.name);
    if (anchorTables.length === 0) return undefined;
    const first = await db.query(...sql(buildLinkSql(db.dialect, anchorTables, anchor, [callid], LINK_ROWS_MAX)));
    if (first.length === 0) return undefined;

    let t0 = Infinity;
    let t1 = -Infinity;
    for (const r of first) {
      const ms = Number(BigInt(String(r.micro_ts)) / 1000n);
      t0 = Math.min(t0, ms);
      t1 = Math.max(t1, ms);
    }
    const window: TimeWindow = { fromMs: t0 - this.callWindowMs, toMs: t1 + this.callWindowMs };
    const corrWindow: TimeWindow = { fromMs: t0 - CORRELATION_BEFORE_MS, toMs: t0 + CORRELATION_AFTER_MS };
    const windowTables = await this.tables(window.fromMs, window.toMs);
    const corrTables = (await this.tables(corrWindow.fromMs, corrWindow.toMs)).map((t) => t.name);

    const ids = [callid];
    const known = new Set(ids);
    let capped = false;
    const collect = (rows: DbRow[]): string[] => {
      const fresh: string[] = [];
      for (const r of rows) {
        for (const v of [r.callid, r.callid_aleg, r.correlation_id]) {
          const id = v === null || v === undefined ? '' : String(v);
          if (id === '' || known.has(id)) continue;
          if (known.size >= this.maxLinkedIds) {
            capped = true;
            continue;
          }
          known.add(id);
          ids.push(id);
          fresh.push(id);
        }
      }
      return fresh;
    };

    let linkNext = collect(first);
    const correlated = new Set<string>();
    for (let round = 0; round < LINK_ROUNDS_MAX; round++) {
      const corrNext = ids.filter((id) => !correlated.has(id));
      for (const id of corrNext) correlated.add(id);
      if (linkNext.length === 0 && corrNext.length === 0) break;
      const names = windowTables.map((t) => t.name);
      const [linked, corr] = await Promise.all([
        linkNext.length && names.length ? db.query(...sql(buildLinkSql(db.dialect, names, window, linkNext, LINK_ROWS_MAX))) : [],
        corrNext.length && corrTables.length
          ? db.query(...sql(buildCorrelationSql(db.dialect, corrTables, corrWindow, corrNext, LINK_ROWS_MAX)))
          : [],
      ]);
      linkNext = collect([...linked, ...corr]);
    }

    // The call is cut when it has more messages than shown: beyond maxMessages, or beyond the byte budget.
    const rows = windowTables.length
      ? await db.query(...sql(buildMessagesSql(db.dialect, windowTables, window, ids, this.maxMessages, this.maxCallBytes)))
      : [];
    const messages = rows.map((r) => toCallMessage(r, windowTables[Number(r[TABLE_KEY])].name));
    const total = rows.length > 0 ? Number(rows[0][TOTAL_MESSAGES]) : 0;
    return { callid, callids: ids, from: iso(window.fromMs), to: iso(window.toMs), messages, truncated: capped || total > messages.length };
  }
}

function sql(s: { sql: string; params: unknown[] }): [string, unknown[]] {
  return [s.sql, s.params];
}
