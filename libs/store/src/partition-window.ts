import { Counter, type Registry } from 'prom-client';
import { dayPartitionName } from './ddl';

/**
 * Which UTC days get their own partition or dated table. Days from today to today+ahead are prepared in
 * advance; a row of another day gets its partition on demand only when the day lies within `pastDays`
 * before today, is not already expired (retention) and not beyond the prepared days; otherwise it goes to
 * the default partition (a sender with a broken clock must not create partitions for 1970 or 2099).
 */
export const DAY_MS = 86_400_000;

export interface PartitionPolicy {
  aheadDays: number;
  /** DB_TIME_WINDOW_DAYS: days before today that still get a partition or dated table of their own. */
  pastDays: number;
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
  return isWindowDay(day, nowMs, p) && !isExpiredDay(day, nowMs, p);
}

/** Whether a day lies within [today - pastDays, today + aheadDays]. */
export function isWindowDay(day: number, nowMs: number, p: Pick<PartitionPolicy, 'aheadDays' | 'pastDays'>): boolean {
  const today = dayOf(nowMs);
  return day >= today - p.pastDays && day <= today + p.aheadDays;
}

/**
 * The time a dated table name is expanded with: the row's own when its day is in the window, else now
 * (so forged times land in today's table instead of creating one). Counts the rows it moved.
 */
export class DayWindow {
  outside = 0;
  constructor(
    readonly days: Pick<PartitionPolicy, 'aheadDays' | 'pastDays'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** `retentionDays` (of the table's template) narrows the past: an expired day gets no table either. */
  tableTime(utcMs: number, retentionDays = 0): number {
    const now = this.now();
    const days = retentionDays > 0 && retentionDays < this.days.pastDays ? { ...this.days, pastDays: retentionDays } : this.days;
    if (isWindowDay(dayOf(utcMs), now, days)) return utcMs;
    this.outside++;
    return now;
  }
}

/** Exports a window's count of rows moved to today's table as a counter. */
export function outsideWindowCounter(window: DayWindow, registry: Registry): Counter {
  let counted = 0;
  return new Counter({
    name: 'sipcap_db_rows_outside_window_total',
    help: 'Rows whose capture day lay outside DB_TIME_WINDOW_DAYS..DB_PARTITION_AHEAD_DAYS and were written to the table of today (dated TABLE_NAME)',
    registers: [registry],
    collect() {
      this.inc(window.outside - counted);
      counted = window.outside;
    },
  });
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
