import { isValidTableName } from '@sipcap/schema';
import { checkRecord } from './record-check';
import type { BatchRow } from './store';
import { StoreError } from './store-error';

/** Why a batch row cannot be written at all (bad table name or value types), or undefined. */
export function checkRow(row: BatchRow): string | undefined {
  if (typeof row.table !== 'string' || !isValidTableName(row.table)) return `invalid table name ${JSON.stringify(row.table)}`;
  return checkRecord(row.record);
}

const isName = (s: unknown) => typeof s === 'string' && s !== '' && s.length <= 255;

export function checkGroupTopic(group: string, topic: string): void {
  if (!isName(group) || !isName(topic))
    throw new StoreError('fatal', 'bad_offset', `invalid consumer group or topic ${JSON.stringify([group, topic])}`);
}

/** A Kafka partition number (a non-negative int32). */
export const isPartition = (p: unknown): p is number => Number.isInteger(p) && (p as number) >= 0 && (p as number) <= 2147483647;

/** Partitions come from the caller's Kafka consumer: anything malformed is a bug, not data. */
export function checkPartition(partition: number): void {
  if (!isPartition(partition)) throw new StoreError('fatal', 'bad_offset', `invalid Kafka partition ${JSON.stringify(partition)}`);
}
