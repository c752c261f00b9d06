import { dayPartitionName } from './ddl';

/**
 * Which UTC days get their own partition. Days from today to today+ahead are prepared in advance; a row
 * of another day gets its partition on demand only when the day is not already expired (retention) and
 * not beyond the prepared window; otherwise it goes to the default partition (a sender with a broken
 * clock must not create partitions for 1970 or 2099).
 */
export const DAY_MS = 86_400_000;

export interface PartitionPolicy {
  aheadDays: number;
  /** 0 keeps everything. */
  retentionDays: number;
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** A day partition is expired when all of it is older than the retention. */
export function isExpiredDay(day: number, nowMs: number, p: PartitionPolicy): boolean {
  return p.retentionDays > 0 && (day + 1) * DAY_MS <= nowMs - p.retentionDays * DAY_MS;
}

export function dayWantsPartition(day: number, nowMs: number, p: PartitionPolicy): boolean {
  return day <= dayOf(nowMs) + p.aheadDays && !isExpiredDay(day, nowMs, p);
}

/** Today and the days ahead. */
export function daysAhead(nowMs: number, p: PartitionPolicy): number[] {
  const today = dayOf(nowMs);
  return Array.from({ length: p.aheadDays + 1 }, (_, i) => today + i);
}

/** The day of a partition this store named for `table`, or undefined for any other relation. */
export function partitionDay(table: string, relname: string): number | undefined {
  const suffix = relname.slice(-9);
  if (suffix.length !== 9 || suffix[0] !== 'p') return undefined;
  const y = Number(suffix.slice(1, 5));
  const m = Number(suffix.slice(5, 7));
  const d = Number(suffix.slice(7, 9));
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return undefined;
  const day = Date.UTC(y, m - 1, d) / DAY_MS;
  return Number.isInteger(day) && dayPartitionName(table, day) === relname ? day : undefined;
}
