import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { topicReplication } from './topic-replication';

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
  opts: {
    topic: string;
    partitions: number;
    /** KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS (0: derived from the cluster's size); absent: 0, 0. */
    replication?: { factor: number; minInsync: number };
    retentionMs?: number;
    log?: Logger;
    readyTimeoutMs?: number;
  },
): Promise<{ created: boolean; partitions: number; copies: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const brokers = (await admin.describeCluster()).brokers.length;
    const wanted = topicReplication(brokers, opts.replication?.factor ?? 0, opts.replication?.minInsync ?? 0);
    // Ask first: kafkajs logs an error line for a CreateTopics of an existing topic.
    const exists = (await admin.listTopics()).includes(opts.topic);
    const configEntries = [{ name: 'min.insync.replicas', value: String(wanted.minInsync) }];
    if (opts.retentionMs) configEntries.push({ name: 'retention.ms', value: String(opts.retentionMs) });
    const created =
      !exists &&
      (await admin
        .createTopics({
          waitForLeaders: true,
          topics: [{ topic: opts.topic, numPartitions: opts.partitions, replicationFactor: wanted.factor, configEntries }],
        })
        // Created, but kafkajs' own wait for leaders can give up first on a cluster (metadata still
        // spreading): the wait below goes on.
        .catch((e: unknown) => {
          if (notYet(e)) return true;
          throw e;
        }));
    const { partitions, copies } = await waitUntilServed(admin, opts.topic, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
    if (created) opts.log?.info({ topic: opts.topic, partitions, replication: wanted }, 'created topic');
    else if (copies < wanted.factor)
      opts.log?.warn(
        { topic: opts.topic, copies, wanted: wanted.factor },
        'topic exists with fewer copies of each partition than wanted: a broker lost may lose records (kafka-reassign-partitions.sh adds copies)',
      );
    if (!created && partitions < opts.partitions) {
      opts.log?.warn(
        { topic: opts.topic, partitions, wanted: opts.partitions },
        'topic exists with fewer partitions than KAFKA_PARTITIONS; at most that many db-writers share the work',
      );
    }
    return { created, partitions, copies };
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

/** Polls metadata and offsets until every partition has a leader that answers; the partition count and the fewest copies of one. */
async function waitUntilServed(admin: Admin, topic: string, timeoutMs: number): Promise<{ partitions: number; copies: number }> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const parts = meta.topics[0]?.partitions ?? [];
      if (parts.length > 0 && parts.every((p) => p.leader >= 0)) {
        await admin.fetchTopicOffsets(topic);
        return { partitions: parts.length, copies: Math.min(...parts.map((p) => p.replicas.length)) };
      }
    } catch (e) {
      if (!notYet(e) || Date.now() > deadline) throw e;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic}: partitions have no leader after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, wait));
  }
}
