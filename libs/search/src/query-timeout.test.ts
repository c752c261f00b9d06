import { describe, expect, it } from 'vitest';
import { isQueryTimeout, isStatementTimeout, QueryTimeoutError } from './query-timeout';

describe('isStatementTimeout', () => {
  it("knows the three servers' timeout errors", () => {
    expect(isStatementTimeout({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe(true);
    expect(
      isStatementTimeout({
        errno: 3024,
        code: 'ER_QUERY_TIMEOUT',
        message: 'Query execution was interrupted, maximum statement execution time exceeded',
      }),
    ).toBe(true);
    expect(
      isStatementTimeout({
        errno: 1969,
        code: 'ER_STATEMENT_TIMEOUT',
        message: 'Query execution was interrupted (max_statement_time exceeded)',
      }),
    ).toBe(true);
  });

  it('is not fooled by other errors (a cancel by an operator, a syntax error, no error object)', () => {
    expect(isStatementTimeout({ code: '57014', message: 'canceling statement due to user request' })).toBe(false);
    expect(isStatementTimeout({ errno: 1064, code: 'ER_PARSE_ERROR' })).toBe(false);
    expect(isStatementTimeout(null)).toBe(false);
    expect(isStatementTimeout('timeout')).toBe(false);
  });

  it('QueryTimeoutError names the setting and is recognised by its code', () => {
    const e = new QueryTimeoutError(500);
    expect(e.message).toContain('500 ms');
    expect(e.message).toContain('WEB_QUERY_TIMEOUT_MS');
    expect(isQueryTimeout(e)).toBe(true);
    expect(isQueryTimeout({ code: 'SIPCAP_QUERY_TIMEOUT' })).toBe(true);
    expect(isQueryTimeout(new Error('x'))).toBe(false);
  });
});
