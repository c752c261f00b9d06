import type { PoolClient } from 'pg';
import { OFFSETS_TABLE } from './ddl';
import { quotePg } from '@sipcap/schema';
import type { BatchOffset } from './store';

const T = quotePg(OFFSETS_TABLE);

// Called under the lock taken by lockPgOffsets (or to reset a partition), so the stored value is ours to set.
const UPSERT =
  `INSERT INTO ${T} AS o ("consumer_group", "topic", "kafka_partition", "next_offset", "updated_at", "dedup_state") ` +
  `VALUES ($1, $2, $3, $4::bigint, now() AT TIME ZONE 'UTC', $5::bytea) ` +
  `ON CONFLICT ("consumer_group", "topic", "kafka_partition") DO UPDATE ` +
  `SET "next_offset" = EXCLUDED."next_offset", "updated_at" = EXCLUDED."updated_at", "dedup_state" = COALESCE(EXCLUDED."dedup_state", o."dedup_state")`;

export async function upsertPgOffsets(client: PoolClient, offsets: readonly BatchOffset[]): Promise<void> {
  for (const o of offsets) {
    await client.query(UPSERT, [o.group, o.topic, o.partition, o.nextOffset, o.dedupState ?? null]);
  }
}

export async function readPgOffsets(client: Pick<PoolClient, 'query'>, group: string, topic: string): Promise<Map<number, string>> {
  const r = await client.query<{ kafka_partition: number; next_offset: string }>(
    `SELECT "kafka_partition", "next_offset"::text AS "next_offset" FROM ${T} WHERE "consumer_group" = $1 AND "topic" = $2`,
    [group, topic],
  );
  return new Map(r.rows.map((row) => [row.kafka_partition, row.next_offset]));
}

export async function readPgDedupStates(client: Pick<PoolClient, 'query'>, group: string, topic: string): Promise<Map<number, Buffer>> {
  const r = await client.query<{ kafka_partition: number; dedup_state: Buffer }>(
    `SELECT "kafka_partition", "dedup_state" FROM ${T} WHERE "consumer_group" = $1 AND "topic" = $2 AND "dedup_state" IS NOT NULL`,
    [group, topic],
  );
  return new Map(r.rows.map((row) => [row.kafka_partition, row.dedup_state]));
}

// Creates missing rows at 0 and locks every row (in partition order, so writers cannot deadlock); the
// no-op update makes a concurrent writer wait for this transaction, then read what it committed.
const LOCK =
  `INSERT INTO ${T} AS o ("consumer_group", "topic", "kafka_partition", "next_offset", "updated_at") ` +
  `SELECT $1, $2, p, 0, now() AT TIME ZONE 'UTC' FROM unnest($3::int[]) AS p ORDER BY p ` +
  `ON CONFLICT ("consumer_group", "topic", "kafka_partition") DO UPDATE SET "next_offset" = o."next_offset" ` +
  `RETURNING "kafka_partition", "next_offset"::text AS "next_offset"`;

export async function lockPgOffsets(
  client: PoolClient,
  group: string,
  topic: string,
  partitions: readonly number[],
): Promise<Map<number, bigint>> {
  const r = await client.query<{ kafka_partition: number; next_offset: string }>(LOCK, [group, topic, partitions]);
  return new Map(r.rows.map((row) => [row.kafka_partition, BigInt(row.next_offset)]));
}
