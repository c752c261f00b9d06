import { INDEXED_COLUMNS } from '@sipcap/schema';
import { PREFIX_FIELDS, prefixOf } from './prefix-match';
import { FILTER_FIELDS, type FilterField, type SearchQuery } from './search-query';

/** The search filters on a column Kamailio's DDL indexes: with one, any time range stays cheap. */
export const INDEXED_FILTERS: readonly FilterField[] = FILTER_FIELDS.filter((f) => (INDEXED_COLUMNS as readonly string[]).includes(f));

export type SearchCost = { ok: true } | { ok: false; field: string; message: string };

/** An exact value: a prefix (`alice*`) is not, since PostgreSQL serves `LIKE 'x%'` by the index only under the C collation. */
const exact = (f: FilterField, v: string | undefined) =>
  v !== undefined && !((PREFIX_FIELDS as readonly string[]).includes(f) && prefixOf(v) !== undefined);

/**
 * A search without an exact indexed filter reads every row of its time range through the date index: it
 * may cover at most `maxRangeMs`. With an exact filter on an indexed column the range is free (the
 * candidate tables are capped elsewhere).
 */
export function checkSearchCost(q: SearchQuery, maxRangeMs: number): SearchCost {
  if (INDEXED_FILTERS.some((f) => exact(f, q.filters[f]))) return { ok: true };
  if (q.toMs - q.fromMs <= maxRangeMs) return { ok: true };
  return {
    ok: false,
    field: 'from',
    message: `a time range over ${describeMs(maxRangeMs)} (WEB_SEARCH_MAX_RANGE_S) needs an exact filter (not a prefix) on an indexed column: ${INDEXED_FILTERS.join(', ')}`,
  };
}

function describeMs(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day${ms === 86_400_000 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
