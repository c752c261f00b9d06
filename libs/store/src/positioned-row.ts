import type { Store, StoredRecord } from './store';

/** One row to write, with the Kafka position it came from (the idempotency key). */
export interface PositionedRow {
  partition: number;
  offset: bigint;
  /** Place of the record in its Kafka message (a record batch holds many). */
  index: number;
  /** null: nothing to insert (the record was dead-lettered), only the offset moves on. */
  table: string | null;
  record: StoredRecord | null;
  /** The encoded record (record.msg points into it) and its message's key, for the dead-letter topic. */
  source?: { key: Buffer | null; value: Buffer | null };
  dedupState?: Buffer;
}

/** What the delayed writer needs of a store (PgStore and MysqlStore in this lib). */
export type PositionedStore = Pick<Store, 'writePositioned'> & Partial<Pick<Store, 'readDedupStates'>>;

/** A record passed over, as the dead-letter topic gets it. */
export interface DeadLetter {
  partition: number;
  offset: bigint;
  index: number;
  key: Buffer | null;
  value: Buffer | null;
  error: string;
}
