import { describe, it, expect } from 'vitest';
import { dayPartitionName, defaultPartitionName } from './ddl';
import { daysAhead, dayOf, dayWantsPartition, isExpiredDay, partitionDay } from './partition-window';

const now = Date.parse('2024-05-10T12:00:00Z');
const day = (iso: string) => dayOf(Date.parse(iso + 'T00:00:00Z'));

describe('partition window', () => {
  const policy = { aheadDays: 3, retentionDays: 7 };

  it('prepares today and the days ahead', () => {
    expect(daysAhead(now, policy)).toEqual([day('2024-05-10'), day('2024-05-11'), day('2024-05-12'), day('2024-05-13')]);
  });

  it('expires a day once all of it is older than the retention', () => {
    expect(isExpiredDay(day('2024-05-02'), now, policy)).toBe(true); // ends 05-03 00:00, cutoff 05-03 12:00
    expect(isExpiredDay(day('2024-05-03'), now, policy)).toBe(false); // partly inside the retention
    expect(isExpiredDay(day('2000-01-01'), now, { aheadDays: 3, retentionDays: 0 })).toBe(false);
  });

  it('creates partitions on demand only inside the window', () => {
    expect(dayWantsPartition(day('2024-05-09'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-03'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-02'), now, policy)).toBe(false);
    expect(dayWantsPartition(day('2024-05-13'), now, policy)).toBe(true);
    expect(dayWantsPartition(day('2024-05-14'), now, policy)).toBe(false);
    expect(dayWantsPartition(day('1970-01-01'), now, { aheadDays: 3, retentionDays: 0 })).toBe(true);
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
