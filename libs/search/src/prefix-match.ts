/**
 * Prefix search: a filter value ending in `*` on a user or Call-ID column matches every value that starts
 * with the rest. It becomes `LIKE 'rest%'`, which the column's index serves (PostgreSQL: with the C
 * collation or a pattern index; MySQL: always); `%` and `_` in the rest match themselves.
 */
export const PREFIX_FIELDS = ['callid', 'from_user', 'to_user', 'ruri_user', 'pid_user', 'auth_user'] as const;

/** The escape character of our LIKE patterns: the same in both dialects (a backslash is not). */
export const LIKE_ESCAPE = '!';

/** The prefix of a `rest*` value, or undefined for an exact value. */
export function prefixOf(value: string): string | undefined {
  return value.endsWith('*') ? value.slice(0, -1) : undefined;
}

/** `LIKE` pattern matching the values that start with `prefix` (wildcards in it escaped). */
export function likePrefixPattern(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}
