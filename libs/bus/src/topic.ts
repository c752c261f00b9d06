import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/** How long a new topic may take to get a leader for every partition before ensureTopic gives up. */
const READY_TIMEOUT_MS = 30_000;

/**
 * Creates the topic when it is missing (idempotent: another process may create it at the same time).
 * An existing topic is left as it is: adding partitions later moves Call-IDs to other partitions,
 * which would break the per-call order of messages in flight; we only warn.
 * Returns once every partition answers (has a leader that serves offsets): a topic just created on a
 * fresh broker answers "This server does not host this topic-partition" for a moment, and whatever
 * uses it next (offsets, producing) must not meet that.
 */
export async function ensureTopic(
  kafka: Kafka,
  opts: { topic: string; partitions: number; retentionMs?: number; log?: Logger; readyTimeoutMs?: number },
): Promise<{ created: boolean; partitions: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Ask first: kafkajs logs an error line for a CreateTopics of an existing topic.
    const exists = (await admin.listTopics()).includes(opts.topic);
    const created =
      !exists &&
      (await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: opts.topic,
            numPartitions: opts.partitions,
            replicationFactor: -1, // the broker's default.replication.factor
            configEntries: opts.retentionMs ? [{ name: 'retention.ms', value: String(opts.retentionMs) }] : [],
          },
        ],
      }));
    const partitions = await waitUntilServed(admin, opts.topic, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
    if (created) opts.log?.info({ topic: opts.topic, partitions }, 'created topic');
    else if (partitions < opts.partitions) {
      opts.log?.warn(
        { topic: opts.topic, partitions, wanted: opts.partitions },
        'topic exists with fewer partitions than KAFKA_PARTITIONS; at most that many db-writers share the work',
      );
    }
    return { created, partitions };
  } finally {
    await admin.disconnect();
  }
}

/** Errors a topic gives while its partitions are still getting leaders. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER']);

function notYet(e: unknown): boolean {
  const err = e as { type?: string; retriable?: boolean; originalError?: unknown; errors?: unknown[] };
  if (err?.type && NOT_YET.has(err.type)) return true;
  if (err?.originalError) return notYet(err.originalError);
  return Array.isArray(err?.errors) && err.errors.some(notYet);
}

/** Polls metadata and offsets until every partition has a leader that answers; the partition count. */
async function waitUntilServed(admin: Admin, topic: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const parts = meta.topics[0]?.partitions ?? [];
      if (parts.length > 0 && parts.every((p) => p.leader >= 0)) {
        await admin.fetchTopicOffsets(topic);
        return parts.length;
      }
    } catch (e) {
      if (!notYet(e) || Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, wait));
  }
}
