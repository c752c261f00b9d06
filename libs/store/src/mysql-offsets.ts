import type { PoolConnection, RowDataPacket } from 'mysql2/promise';
import { OFFSETS_TABLE } from './ddl';
import { quoteMysql } from '@sipcap/schema';
import type { BatchOffset } from './store';

const T = quoteMysql(OFFSETS_TABLE);

/** Upserts the offsets in the open transaction, under the lock taken by lockMysqlOffsets (or to reset a partition). */
export async function upsertMysqlOffsets(conn: PoolConnection, offsets: readonly BatchOffset[]): Promise<void> {
  const tuples = offsets.map(() => '(?, ?, ?, ?, UTC_TIMESTAMP(6), ?)').join(', ');
  const values = offsets.flatMap((o) => [o.group, o.topic, o.partition, o.nextOffset, o.dedupState ?? null]);
  await conn.query(
    `INSERT INTO ${T} (consumer_group, topic, kafka_partition, next_offset, updated_at, dedup_state) VALUES ${tuples} ` +
      'ON DUPLICATE KEY UPDATE next_offset = VALUES(next_offset), updated_at = VALUES(updated_at), dedup_state = COALESCE(VALUES(dedup_state), dedup_state)',
    values,
  );
}

export async function readMysqlOffsets(conn: PoolConnection, group: string, topic: string): Promise<Map<number, string>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT kafka_partition, CAST(next_offset AS CHAR) AS next_offset FROM ${T} WHERE consumer_group = ? AND topic = ?`,
    [group, topic],
  );
  return new Map(rows.map((r) => [Number(r.kafka_partition), String(r.next_offset)]));
}

export async function readMysqlDedupStates(conn: PoolConnection, group: string, topic: string): Promise<Map<number, Buffer>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT kafka_partition, dedup_state FROM ${T} WHERE consumer_group = ? AND topic = ? AND dedup_state IS NOT NULL`,
    [group, topic],
  );
  return new Map(rows.map((r) => [Number(r.kafka_partition), r.dedup_state as Buffer]));
}

/**
 * Creates missing rows at 0 and locks every row of these partitions: the no-op upsert takes the
 * exclusive lock (in partition order), so a concurrent writer waits and then reads the committed value.
 * Only these rows: left to itself the optimizer reads a few partitions' rows of a small table by their
 * (group, topic) prefix, and a locking read locks every row it reads, so the writer's lanes (and other
 * writers) waited for each other's whole insert. FORCE INDEX makes it look each key up.
 */
export async function lockMysqlOffsets(
  conn: PoolConnection,
  group: string,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, bigint>> {
  await conn.query(
    `INSERT INTO ${T} (consumer_group, topic, kafka_partition, next_offset, updated_at) VALUES ` +
      partitions.map(() => '(?, ?, ?, 0, UTC_TIMESTAMP(6))').join(', ') +
      ' ON DUPLICATE KEY UPDATE next_offset = next_offset',
    partitions.flatMap((p) => [group, topic, p]),
  );
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT kafka_partition, CAST(next_offset AS CHAR) AS next_offset FROM ${T} FORCE INDEX (PRIMARY) WHERE consumer_group = ? AND topic = ? AND kafka_partition IN (?) FOR UPDATE`,
    [group, topic, partitions],
  );
  return new Map(rows.map((r) => [Number(r.kafka_partition), BigInt(String(r.next_offset))]));
}
