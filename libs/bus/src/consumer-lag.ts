import type { Kafka } from 'kafkajs';

export interface PartitionLag {
  partition: number;
  committed: bigint;
  end: bigint;
  lag: bigint;
}

/** How far a consumer group is behind the end of the topic, per partition and in total. */
export async function consumerLag(kafka: Kafka, groupId: string, topic: string): Promise<{ total: bigint; partitions: PartitionLag[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const byPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
    let total = 0n;
    const partitions = ends.map((e) => {
      const end = BigInt(e.high);
      const c = byPartition.get(e.partition);
      const start = BigInt(e.low);
      const committedOffset = c === undefined || c === '-1' ? start : BigInt(c);
      const lag = end > committedOffset ? end - committedOffset : 0n;
      total += lag;
      return { partition: e.partition, committed: committedOffset, end, lag };
    });
    return { total, partitions: partitions.sort((a, b) => a.partition - b.partition) };
  } finally {
    await admin.disconnect();
  }
}

/** The end (high watermark) of every partition of a topic. */
export async function topicEnds(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}
