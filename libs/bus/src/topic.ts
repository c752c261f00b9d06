import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Creates the topic when it is missing (idempotent: another process may create it at the same time).
 * An existing topic is left as it is: adding partitions later moves Call-IDs to other partitions,
 * which would break the per-call order of messages in flight; we only warn.
 */
export async function ensureTopic(
  kafka: Kafka,
  opts: { topic: string; partitions: number; retentionMs?: number; log?: Logger },
): Promise<{ created: boolean; partitions: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Ask first: kafkajs logs an error line for a CreateTopics of an existing topic.
    const exists = (await admin.listTopics()).includes(opts.topic);
    const created = !exists && await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: opts.topic,
          numPartitions: opts.partitions,
          replicationFactor: -1, // the broker's default.replication.factor
          configEntries: opts.retentionMs ? [{ name: 'retention.ms', value: String(opts.retentionMs) }] : [],
        },
      ],
    });
    const meta = await admin.fetchTopicMetadata({ topics: [opts.topic] });
    const partitions = meta.topics[0]?.partitions.length ?? 0;
    if (created) opts.log?.info({ topic: opts.topic, partitions }, 'created topic');
    else if (partitions < opts.partitions) {
      opts.log?.warn({ topic: opts.topic, partitions, wanted: opts.partitions }, 'topic exists with fewer partitions than KAFKA_PARTITIONS; at most that many db-writers share the work');
    }
    return { created, partitions };
  } finally {
    await admin.disconnect();
  }
}
