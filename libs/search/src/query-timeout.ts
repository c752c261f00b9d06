/** A statement the database stopped at the server-side timeout (WEB_QUERY_TIMEOUT_MS). */
export class QueryTimeoutError extends Error {
  readonly code = 'SIPCAP_QUERY_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`the database stopped the query after ${timeoutMs} ms (WEB_QUERY_TIMEOUT_MS)`);
  }
}

/** PostgreSQL query_canceled from statement_timeout; MySQL ER_QUERY_TIMEOUT (max_execution_time); MariaDB ER_STATEMENT_TIMEOUT (max_statement_time). */
export function isStatementTimeout(e: unknown): boolean {
  const err = e as { code?: unknown; errno?: unknown; message?: unknown };
  if (err === null || typeof err !== 'object') return false;
  if (err.code === '57014') return /statement timeout/i.test(String(err.message));
  return err.errno === 3024 || err.errno === 1969 || err.code === 'ER_QUERY_TIMEOUT' || err.code === 'ER_STATEMENT_TIMEOUT';
}

/** True for a QueryTimeoutError, also across bundle boundaries. */
export function isQueryTimeout(e: unknown): e is QueryTimeoutError {
  return e instanceof QueryTimeoutError || (e as { code?: unknown } | null)?.code === 'SIPCAP_QUERY_TIMEOUT';
}
