import { MAX_TIME_MS, MIN_TIME_MS } from './db-time';

const DIGITS = /^\d{1,15}$/;
/** ISO 8601 date-time without a zone (as an HTML datetime-local input sends it): taken as UTC. */
const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time from a query string: epoch milliseconds (`1736935200000`) or ISO 8601 (`2025-01-15T10:00:00Z`;
 * without a zone it is UTC, like every time in the database). Undefined when it is neither.
 */
export function parseTimeInput(text: string): number | undefined {
  const s = text.trim();
  let ms: number;
  if (DIGITS.test(s)) ms = Number(s);
  else if (ZONELESS.test(s)) ms = Date.parse(s.replace(' ', 'T').replace(/(\.\d{3})\d+$/, '$1') + 'Z');
  else if (ZONED.test(s)) ms = Date.parse(s.replace(' ', 'T').replace(/(\.\d{3})\d+(?=Z|[+-])/i, '$1'));
  else return undefined;
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS ? ms : undefined;
}
