import { describe, expect, it } from 'vitest';
import type { PartitionLag } from './consumer-lag';
import { PartitionProgress } from './partition-progress';

const lag = (partition: number, committed: bigint, end: bigint): PartitionLag => ({ partition, committed, end, lag: end - committed });

describe('PartitionProgress', () => {
  it("counts only the partitions this member holds, so a sum over members is the group's lag", () => {
    const a = new PartitionProgress();
    const b = new PartitionProgress();
    a.assign([0, 1]);
    b.assign([2]);
    const group = [lag(0, 10n, 15n), lag(1, 0n, 0n), lag(2, 5n, 9n)];
    const la = a.lagOf(group, 1000);
    const lb = b.lagOf(group, 1000);
    expect(la.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(lb.partitions.map((p) => p.partition)).toEqual([2]);
    expect(la.messages + lb.messages).toBe(9);
  });

  it('estimates records at the records per message given', () => {
    const p = new PartitionProgress();
    p.assign([0]);
    expect(p.lagOf([lag(0, 0n, 4n)], 0).records).toBe(4); // nothing read yet: one per message
    expect(p.lagOf([lag(0, 0n, 4n)], 0, 2.5)).toMatchObject({ messages: 4, records: 10 });
  });

  it('ages the lag by the oldest message in hand, else by the last one committed', () => {
    const p = new PartitionProgress();
    p.assign([0]);
    expect(p.lagOf([lag(0, 0n, 3n)], 10_000).ageMs).toBeUndefined(); // nothing seen yet
    p.fetched(0, 9n, 1_000, 2_000);
    p.fetched(0, 19n, 3_000, 4_000);
    expect(p.lagOf([lag(0, 0n, 20n)], 10_000).partitions[0].ageMs).toBe(9_000);
    p.committed(0, 9n);
    expect(p.lagOf([lag(0, 10n, 20n)], 10_000).partitions[0].ageMs).toBe(7_000);
    p.committed(0, 19n);
    expect(p.lagOf([lag(0, 20n, 20n)], 10_000).ageMs).toBe(0); // caught up
    // Behind with nothing in hand (fetching paused): at most as old as the last message committed.
    expect(p.lagOf([lag(0, 20n, 30n)], 10_000).ageMs).toBe(6_000);
  });

  it('forgets batches that failed and partitions that moved away', () => {
    const p = new PartitionProgress();
    p.assign([0, 1]);
    p.fetched(0, 9n, 1_000, 2_000);
    p.fetched(1, 9n, 1_000, 2_000);
    p.abandoned(0);
    expect(p.lagOf([lag(0, 0n, 10n)], 10_000).ageMs).toBeUndefined();
    p.assign([0]);
    expect(p.partitions).toEqual([0]);
    p.assign([0, 1]);
    expect(p.lagOf([lag(1, 0n, 10n)], 10_000).ageMs).toBeUndefined(); // what was known of 1 went with it
  });
});
