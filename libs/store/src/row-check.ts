import { isValidTableName } from '@sipcap/schema';
import { checkRecord } from './record-check';
import type { BatchOffset, BatchRow } from './store';
import { StoreError } from './store-error';

/** Why a batch row cannot be written at all (bad table name or value types), or undefined. */
export function checkRow(row: BatchRow): string | undefined {
  if (typeof row.table !== 'string' || !isValidTableName(row.table)) return `invalid table name ${JSON.stringify(row.table)}`;
  return checkRecord(row.record);
}

const OFFSET = /^\d{1,19}$/;

const isName = (s: unknown) => typeof s === 'string' && s !== '' && s.length <= 255;

export function checkGroupTopic(group: string, topic: string): void {
  if (!isName(group) || !isName(topic))
    throw new StoreError('fatal', 'bad_offset', `invalid consumer group or topic ${JSON.stringify([group, topic])}`);
}

/** Offsets come from the caller's Kafka consumer: anything malformed is a bug, not data. */
export function checkOffsets(offsets: readonly BatchOffset[]): void {
  for (const o of offsets) {
    const ok =
      isName(o.group) &&
      isName(o.topic) &&
      Number.isInteger(o.partition) &&
      o.partition >= 0 &&
      o.partition <= 2147483647 &&
      typeof o.nextOffset === 'string' &&
      OFFSET.test(o.nextOffset) &&
      (o.firstOffset === undefined || (typeof o.firstOffset === 'string' && OFFSET.test(o.firstOffset)));
    if (!ok) throw new StoreError('fatal', 'bad_offset', `invalid offset entry ${JSON.stringify(o)}`);
  }
}
