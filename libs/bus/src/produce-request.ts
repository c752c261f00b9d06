import type { Message } from 'kafkajs';
import { encodeRecordBatch } from '@sipcap/record';

/** One record waiting for Kafka: its key (Call-ID or correlation id) and its encoding. */
export interface QueuedRecord {
  key: string;
  value: Buffer;
}

/** One Kafka message of a produce request: a record batch of one partition, with the records it carries. */
export interface PackedMessage {
  partition: number;
  records: readonly QueuedRecord[];
  message: Message;
}

/** What one produce request carries; sent (and resent) exactly as it is. */
export type ProduceRequest = readonly PackedMessage[];

/** Bytes a record adds to a record batch besides its own (its length prefix, see @sipcap/record). */
export const RECORD_BATCH_OVERHEAD = 4;

export function recordBytes(r: QueuedRecord): number {
  return r.value.length + RECORD_BATCH_OVERHEAD;
}

export function packMessage(partition: number, records: readonly QueuedRecord[]): PackedMessage {
  return { partition, records, message: { partition, value: encodeRecordBatch(records.map((r) => r.value)) } };
}

/**
 * Where the next request ends: at most `batchMax` records from `start`, and it stops before the first record
 * that would take its partition's bytes in the request past `partitionMaxBytes` (the broker refuses a
 * partition's batch above its message.max.bytes; kafkajs puts all messages of a partition in one batch).
 * A request always takes at least one record. `partitions` receives the partition of each record taken.
 */
export function requestEnd(
  records: readonly QueuedRecord[],
  start: number,
  batchMax: number,
  partitionOf: (key: string) => number,
  partitionMaxBytes: number,
  partitions: number[] = [],
): number {
  const end = Math.min(start + batchMax, records.length);
  const bytes = new Map<number, number>();
  partitions.length = 0;
  for (let i = start; i < end; i++) {
    const p = partitionOf(records[i].key);
    const b = (bytes.get(p) ?? 0) + recordBytes(records[i]);
    if (b > partitionMaxBytes && i > start) return i;
    bytes.set(p, b);
    partitions.push(p);
  }
  return end;
}

/**
 * One message per partition (more when one grows past `messageMaxBytes`), records in queue order.
 * `partitions[i]` is the partition of `records[i]` when known (requestEnd gives them).
 */
export function packRequest(
  records: readonly QueuedRecord[],
  partitionOf: (key: string) => number,
  messageMaxBytes: number,
  partitions?: readonly number[],
): PackedMessage[] {
  const byPartition = new Map<number, QueuedRecord[]>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const p = partitions?.[i] ?? partitionOf(r.key);
    let list = byPartition.get(p);
    if (!list) byPartition.set(p, (list = []));
    list.push(r);
  }
  const out: PackedMessage[] = [];
  for (const p of [...byPartition.keys()].sort((a, b) => a - b)) {
    const rs = byPartition.get(p)!;
    let start = 0;
    let bytes = 0;
    for (let i = 0; i < rs.length; i++) {
      bytes += recordBytes(rs[i]);
      if (bytes > messageMaxBytes && i > start) {
        out.push(packMessage(p, rs.slice(start, i)));
        start = i;
        bytes = recordBytes(rs[i]);
      }
    }
    out.push(packMessage(p, rs.slice(start)));
  }
  return out;
}

/**
 * The requests that replace one the broker refused for good (a non-retriable error), sent in this order,
 * or undefined when it carries a single record: that record is dropped. Each step isolates the refused
 * part without ever repacking what the broker may already have appended under the same sequence numbers:
 * - several partitions: one request per partition, each with that partition's messages exactly as they
 *   were (a partition the broker appended is recognised as a duplicate and acknowledged; a partition's
 *   batch is appended whole or not at all);
 * - one partition, several messages: one request per message (the partition was refused whole, so
 *   nothing of it is in the log);
 * - one message of several records: its records in two halves.
 */
export function splitRefused(req: ProduceRequest): ProduceRequest[] | undefined {
  const partitions = new Map<number, PackedMessage[]>();
  for (const m of req) {
    let list = partitions.get(m.partition);
    if (!list) partitions.set(m.partition, (list = []));
    list.push(m);
  }
  if (partitions.size > 1) return [...partitions.values()];
  if (req.length > 1) return req.map((m) => [m]);
  const only = req[0];
  if (!only || only.records.length <= 1) return undefined;
  const half = Math.ceil(only.records.length / 2);
  return [[packMessage(only.partition, only.records.slice(0, half))], [packMessage(only.partition, only.records.slice(half))]];
}

/**
 * The messages of `req` whose partition is not among the partitions a resolved send acknowledged.
 * kafkajs 2.2.4 (producer/sendMessages.js) retries a failed request only towards brokers that have not
 * answered it yet: when a partition's leader dies and the partition moves to a broker that already
 * acknowledged its own part of the request, the retry leaves the partition out and send() resolves as if
 * everything was written. Those messages must go again (their sequence numbers were given back when the
 * dead leader's request failed, so a copy the old leader did append is recognised, not written twice).
 */
export function unacknowledged(req: ProduceRequest, acknowledged: readonly { partition: number }[]): PackedMessage[] {
  const acked = new Set<number>();
  for (const a of acknowledged) acked.add(a.partition);
  return req.filter((m) => !acked.has(m.partition));
}

export function requestRecords(req: ProduceRequest): number {
  let n = 0;
  for (const m of req) n += m.records.length;
  return n;
}

export function requestBytes(req: ProduceRequest): number {
  let n = 0;
  for (const m of req) for (const r of m.records) n += r.value.length;
  return n;
}

/**
 * What the producer does after a failed request:
 * - `resend`: the error may pass (a broker restart, a leader change, a timeout, a refused login or ACL the
 *   operator fixes): the same request is sent again, exactly;
 * - `split`: the broker refused the request for good (MESSAGE_TOO_LARGE, INVALID_RECORD, ...): it is split
 *   (splitRefused) and a record refused alone is dropped.
 * `type` is the Kafka error name when there is one (MESSAGE_TOO_LARGE).
 */
const UNRECOVERABLE = ['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError'];

export function classifyProduceError(e: unknown): { action: 'resend' | 'split'; type: string } {
  let root = e as { name?: string; type?: string; retriable?: boolean; cause?: unknown } | undefined;
  // kafkajs wraps what its retrier gave up on; the cause says why.
  while (root && root.name === 'KafkaJSNonRetriableError' && root.cause && root.cause !== root) root = root.cause as typeof root;
  const type = root?.type ?? root?.name ?? 'unknown';
  if (!root || (e as { name?: string }).name === 'KafkaJSNumberOfRetriesExceeded') return { action: 'resend', type };
  // A bug in encoding (kafkajs gives up on these too) would fail the same way forever.
  if (UNRECOVERABLE.includes(root.name ?? '')) return { action: 'split', type };
  // Only a refusal that is the records' own fault splits (and may drop); anything else the broker says
  // (OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID after a leader change, an access refusal the
  // operator fixes) is resent as it was: dropping records for it would lose them in a failover.
  if (RECORD_REFUSALS.has(type)) return { action: 'split', type };
  return { action: 'resend', type };
}

/** Kafka's errors that refuse a request for what its records are (kafkajs marks them non-retriable). */
const RECORD_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_COMPRESSION_TYPE',
]);

/** The drop reason of a record the broker refused alone. */
export function refusedReason(type: string): 'broker_too_large' | 'refused' {
  return type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE' ? 'broker_too_large' : 'refused';
}
