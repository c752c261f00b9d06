import type { Dialect } from '@sipcap/schema';

/**
 * Times as the `date` column holds them: UTC text without a zone. Times travel as text, never as JS
 * Dates, so neither driver converts them through the process's or the session's time zone.
 */

/** Earliest and latest times accepted (the column types and the text form both stop at year 9999). */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * `YYYY-MM-DD HH:MM:SS[.mmm]` for a bound on `date`. MySQL/MariaDB store whole seconds (truncated),
 * so there the bound is truncated too: a row of 10:00:00.4 is stored as 10:00:00 and must match a
 * range starting at 10:00:00.3.
 */
export function dbTimeText(ms: number, dialect: Dialect): string {
  const clamped = Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, Math.floor(ms)));
  const iso = new Date(clamped).toISOString(); // 2025-01-15T10:00:00.123Z
  return dialect === 'mysql' ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** micro_ts (microseconds since the epoch) as ISO 8601 with microseconds: `2025-01-15T10:00:00.123456Z`. */
export function microsToIso(micros: bigint): string {
  const ms = Number(micros / 1000n);
  const iso = new Date(Math.min(MAX_TIME_MS, Math.max(MIN_TIME_MS, ms))).toISOString();
  const frac = String(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** Epoch milliseconds of a `date` value read back as text (`2025-01-15 10:00:00[.123456]`). */
export function dbTimeToMs(text: string): number {
  return Date.parse(text.replace(' ', 'T') + 'Z');
}
