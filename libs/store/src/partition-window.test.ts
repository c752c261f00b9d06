import { describe, it, expect } from 'vitest';
import { dayPartitionName, defaultPartitionName } from './ddl';
import { DayWindow, daysAhead, dayOf, dayWantsPartition, isExpiredDay, partitionDay } from './partition-window';

const now = Date.parse('2024-05-10T12:00:00Z');
const day = (iso: string) => dayOf(Date.parse(iso + 'T00:00:00Z'));

describe('partition window', () => {
  const policy = { aheadDays: 3, pastDays: 30, retentionDays: 7 };

  it('prepares today and the days ahead', () => {
    expect(daysAhead(now, policy)).toEqual([day('2024-05-10'), day('2024-05-11'), day('2024-05-12'), day('2024-05-13')]);
  });

  it('expires a day once all of it is older than the retention', () => {
    expect(isExpiredDay(day('2024-05-02'), now, policy)).toBe(true); // ends 05-03 00:00, cutoff 05-03 12:00
    expect(isExpiredDay(day('2024-05-03'), now, policy)).toBe(false); // partly inside the retention
    expect(isExpiredDay(day('2000-01-01'), now, { aheadDays: 3, pastDays: 7, retentionDays: 0 })).toBe(false);
  });

  it('creates partitions on demand only inside the window', () => {
    expect(dayWantsPartition(day('2024-05-09'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-03'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-02'), now, policy)).toBe(false);
    expect(dayWantsPartition(day('2024-05-13'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-14'), now, policy)).toBe(false);
  });

  it('never creates a partition before the past window, even with no retention', () => {
    const keepAll = { aheadDays: 3, pastDays: 7, retentionDays: 0 };
    expect(dayWantsPartition(day('2024-05-03'), now, keepAll)).toBe(true);
    expect(dayWantsPartition(day('2024-05-02'), now, keepAll)).toBe(false);
    expect(dayWantsPartition(day('1970-01-01'), now, keepAll)).toBe(false);
    expect(dayWantsPartition(day('2100-01-01'), now, keepAll)).toBe(false);
  });

  it('expands dated table names with now for rows outside the window, and counts them', () => {
    const w = new DayWindow({ aheadDays: 3, pastDays: 7 }, () => now);
    const inside = Date.parse('2024-05-04T08:00:00Z');
    expect(w.tableTime(inside)).toBe(inside);
    expect(w.tableTime(Date.parse('2024-05-13T23:59:59Z'))).toBe(Date.parse('2024-05-13T23:59:59Z'));
    expect(w.tableTime(0)).toBe(now);
    expect(w.tableTime(Date.parse('2100-01-01T00:00:00Z'))).toBe(now);
    expect(w.tableTime(Date.parse('2024-05-02T23:59:59Z'))).toBe(now);
    expect(w.outside).toBe(3);
  });

  it('recognises only the day partitions it names', () => {
    const d = day('2024-02-29');
    expect(partitionDay('cap', dayPartitionName('cap', d))).toBe(d);
    const long = 'x'.repeat(60);
    expect(partitionDay(long, dayPartitionName(long, d))).toBe(d);
    expect(partitionDay('cap', defaultPartitionName('cap'))).toBeUndefined();
    expect(partitionDay('cap', 'other_p20240229')).toBeUndefined();
    expect(partitionDay('cap', 'cap_p20240230')).toBeUndefined();
  });
});
