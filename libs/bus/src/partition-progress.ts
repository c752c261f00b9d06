import type { PartitionLag } from './consumer-lag';

/** One partition's lag as seen by the group member that holds it. */
export interface HeldPartitionLag {
  partition: number;
  /** Kafka messages after the group's committed offset (each carries one or more records). */
  messages: number;
  /** Records in them, estimated from the records per message this member has read (not counted: that would mean reading them). */
  records: number;
  /**
   * Age of the oldest message not yet stored, in ms: exact when this member has it in hand (fetched, not
   * committed), else the age of the last message it committed (an upper bound); 0 with no lag;
   * undefined when nothing of the partition has passed through this member yet.
   */
  ageMs: number | undefined;
}

export interface HeldLag {
  partitions: HeldPartitionLag[];
  messages: number;
  records: number;
  /** The oldest of the partitions' ages (undefined when none is known). */
  ageMs: number | undefined;
}

interface InFlight {
  last: bigint;
  firstTs: number;
  lastTs: number;
}

/**
 * What one consumer-group member knows of the partitions it holds: which they are, the batches fetched
 * and not yet committed, and the time of the last message committed.
 * With the group's committed offsets (an admin call) it gives this member's share of the lag, so that a
 * sum over members is the group's lag and no partition is counted twice. No I/O.
 */
export class PartitionProgress {
  private readonly held = new Set<number>();
  private readonly inFlight = new Map<number, InFlight[]>();
  private readonly committedTs = new Map<number, number>();

  /** After a group join: the partitions now held; what is known of the others is forgotten. */
  assign(partitions: readonly number[]): void {
    this.held.clear();
    for (const p of partitions) this.held.add(p);
    for (const p of [...this.inFlight.keys()]) if (!this.held.has(p)) this.inFlight.delete(p);
    for (const p of [...this.committedTs.keys()]) if (!this.held.has(p)) this.committedTs.delete(p);
  }

  get partitions(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** A batch handed to the writer: its last offset and its first and last message times (ms). */
  fetched(partition: number, last: bigint, firstTs: number, lastTs: number): void {
    let list = this.inFlight.get(partition);
    if (!list) this.inFlight.set(partition, (list = []));
    list.push({ last, firstTs, lastTs });
  }

  /** The batch ending at `last` is stored and committed. */
  committed(partition: number, last: bigint): void {
    const list = this.inFlight.get(partition);
    if (!list) return;
    while (list.length > 0 && list[0].last <= last) this.committedTs.set(partition, list.shift()!.lastTs);
    if (list.length === 0) this.inFlight.delete(partition);
  }

  /** The partition's batches in hand failed and will be fetched again. */
  abandoned(partition: number): void {
    this.inFlight.delete(partition);
  }

  /**
   * This member's share of the group's lag: the partitions it holds, with their age and records estimated
   * at `perMessage` records per Kafka message (what the member has read so far; 1 before it read any).
   */
  lagOf(group: readonly PartitionLag[], nowMs: number, perMessage = 1): HeldLag {
    const partitions: HeldPartitionLag[] = [];
    let messages = 0;
    let records = 0;
    let ageMs: number | undefined;
    for (const p of group) {
      if (!this.held.has(p.partition)) continue;
      const n = Number(p.lag);
      const oldest = n === 0 ? undefined : this.oldestUnstoredTs(p.partition);
      const partitionAge = n === 0 ? 0 : oldest === undefined ? undefined : Math.max(0, nowMs - oldest);
      partitions.push({ partition: p.partition, messages: n, records: Math.round(n * perMessage), ageMs: partitionAge });
      messages += n;
      records += Math.round(n * perMessage);
      if (partitionAge !== undefined) ageMs = Math.max(ageMs ?? 0, partitionAge);
    }
    return { partitions, messages, records, ageMs };
  }

  private oldestUnstoredTs(partition: number): number | undefined {
    return this.inFlight.get(partition)?.[0]?.firstTs ?? this.committedTs.get(partition);
  }
}
