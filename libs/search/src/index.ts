export { Searcher, type SearcherOptions, type SearchResult, type CallsResult, type CallOptions, type CallResult } from './searcher';
export { openSearchDb, type SearchDb, type SearchDbOptions, type DbRow } from './search-db';
export { TableCatalog, type TableInfo, type TableCatalogOptions } from './table-catalog';
export {
  parseSearchQuery,
  FILTER_FIELDS,
  DEFAULT_RANGE_MS,
  DEFAULT_LIMIT,
  MAX_LIMIT,
  MAX_OFFSET,
  type SearchQuery,
  type SearchQueryResult,
  type FilterField,
} from './search-query';
export { parseTimeInput } from './time-input';
export { candidateTables, MAX_CANDIDATE_TABLES } from './candidate-tables';
export { encodeCursor, decodeCursor, type Cursor } from './cursor';
export { microsToIso, dbTimeText } from './db-time';
export type { SearchRow, CallMessage } from './result-rows';
export {
  CallReports,
  CALL_REPORT_KINDS,
  type CallReport,
  type CallReportKind,
  type CallReportsResult,
  type CallReportsOptions,
} from './call-reports';
export { buildReportsSql } from './report-sql';
export type { TimeWindow } from './call-sql';
export { checkSearchCost, INDEXED_FILTERS, type SearchCost } from './search-cost';
export { QueryTimeoutError, isQueryTimeout, isStatementTimeout } from './query-timeout';
export type { CallSummary } from './call-summary';
export { PREFIX_FIELDS } from './prefix-match';
