import { isIP } from 'node:net';
import { COLUMN_WIDTH } from '@sipcap/record';
import { decodeCursor, type Cursor } from './cursor';
import { PREFIX_FIELDS, prefixOf } from './prefix-match';
import { parseTimeInput } from './time-input';

/** Columns a search can filter on, by equality or (users, Call-ID) prefix (most are indexed: see INDEXED_FILTERS). */
export const FILTER_FIELDS = [
  'callid',
  'from_user',
  'to_user',
  'ruri_user',
  'pid_user',
  'auth_user',
  'method',
  'source_ip',
  'destination_ip',
  'node',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface SearchQuery {
  fromMs: number;
  toMs: number;
  filters: Partial<Record<FilterField, string>>;
  limit: number;
  /** Rows to skip (OFFSET paging); 0 with a cursor. */
  offset: number;
  /** Keyset paging: rows strictly after this one. */
  before?: Cursor;
}

export type SearchQueryResult = { ok: true; query: SearchQuery } | { ok: false; field: string; message: string };

export const DEFAULT_RANGE_MS = 3_600_000;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
export const MAX_OFFSET = 10_000;

const KNOWN = new Set<string>(['from', 'to', 'limit', 'offset', 'before', ...FILTER_FIELDS]);

function fail(field: string, message: string): SearchQueryResult {
  return { ok: false, field, message };
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,7}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/**
 * A search from query-string parameters. Time range: `from`/`to` (epoch ms or ISO 8601, UTC when no
 * zone), by default the hour before `nowMs`. Filters match exactly; a user or Call-ID ending in `*` is a
 * prefix (see prefix-match.ts); `method` also takes a status class such as `4xx`; an IP filter must be an
 * IP address (one that is not could only find nothing). Unknown parameters are refused (a misspelt filter must not silently match everything).
 */
export function parseSearchQuery(params: Record<string, unknown>, nowMs: number): SearchQueryResult {
  const text: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!KNOWN.has(k)) return fail(k, `unknown parameter ${k} (expected one of: ${[...KNOWN].join(', ')})`);
    if (typeof v !== 'string') return fail(k, `${k} given more than once`);
    text[k] = v;
  }
  let toMs = nowMs;
  if (text.to !== undefined && text.to !== '') {
    const t = parseTimeInput(text.to);
    if (t === undefined) return fail('to', 'expected a time: epoch milliseconds or ISO 8601 (UTC when no zone)');
    toMs = t;
  }
  let fromMs = toMs - DEFAULT_RANGE_MS;
  if (text.from !== undefined && text.from !== '') {
    const f = parseTimeInput(text.from);
    if (f === undefined) return fail('from', 'expected a time: epoch milliseconds or ISO 8601 (UTC when no zone)');
    fromMs = f;
  }
  if (fromMs > toMs) return fail('from', 'from is after to');

  const filters: Partial<Record<FilterField, string>> = {};
  for (const f of FILTER_FIELDS) {
    const v = text[f]?.trim();
    if (v === undefined || v === '') continue;
    const prefix = (PREFIX_FIELDS as readonly string[]).includes(f) ? prefixOf(v) : undefined;
    if (prefix === '') return fail(f, 'a prefix search needs at least one character before *');
    if ((f === 'source_ip' || f === 'destination_ip') && isIP(v) === 0) return fail(f, `not an IP address: ${v}`);
    const width = (COLUMN_WIDTH as Record<string, number>)[f];
    if ((prefix ?? v).length > width) return fail(f, `longer than the column (${width} characters): nothing can match`);
    filters[f] = v;
  }

  let limit = DEFAULT_LIMIT;
  if (text.limit !== undefined && text.limit !== '') {
    const n = wholeNumber(text.limit, 1, MAX_LIMIT);
    if (n === undefined) return fail('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
    limit = n;
  }
  let offset = 0;
  if (text.offset !== undefined && text.offset !== '') {
    const n = wholeNumber(text.offset, 0, MAX_OFFSET);
    if (n === undefined) return fail('offset', `expected a whole number from 0 to ${MAX_OFFSET} (use before= to page further)`);
    offset = n;
  }
  let before: Cursor | undefined;
  if (text.before !== undefined && text.before !== '') {
    before = decodeCursor(text.before);
    if (before === undefined) return fail('before', 'not a cursor returned by a previous search (next)');
    if (offset !== 0) return fail('offset', 'use either offset or before, not both');
  }
  return { ok: true, query: { fromMs, toMs, filters, limit, offset, before } };
}
