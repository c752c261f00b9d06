/** Copies of each partition and the copies that must have a record before it is acknowledged. */
export interface TopicReplication {
  factor: number;
  minInsync: number;
}

/**
 * The replication of a topic sipcap creates, from KAFKA_REPLICATION_FACTOR and KAFKA_MIN_INSYNC_REPLICAS
 * (0: derived) and the cluster's size: three copies where there are three brokers or more, with two
 * in sync (one broker may die without losing an acknowledged record, and the topic still takes
 * records); one copy on a single broker. Throws when the settings ask what the cluster cannot give.
 */
export function topicReplication(brokers: number, factorSetting: number, minInsyncSetting: number): TopicReplication {
  const factor = factorSetting > 0 ? factorSetting : Math.max(1, Math.min(3, brokers));
  if (factor > brokers)
    throw new Error(
      `KAFKA_REPLICATION_FACTOR=${factor} but the cluster has ${brokers} broker${brokers === 1 ? '' : 's'}; lower it or add brokers`,
    );
  const minInsync = minInsyncSetting > 0 ? minInsyncSetting : factor >= 3 ? 2 : 1;
  if (minInsync > factor)
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS=${minInsync} is more than the ${factor} copies of each partition: no record could be acknowledged`,
    );
  return { factor, minInsync };
}

/** The capture topic as an app's settings describe it (KAFKA_TOPIC, KAFKA_PARTITIONS, the replication), for ensureTopic. */
export function captureTopicOf(c: {
  KAFKA_TOPIC: string;
  KAFKA_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_MIN_INSYNC_REPLICAS: number;
}): { topic: string; partitions: number; replication: { factor: number; minInsync: number } } {
  return {
    topic: c.KAFKA_TOPIC,
    partitions: c.KAFKA_PARTITIONS,
    replication: { factor: c.KAFKA_REPLICATION_FACTOR, minInsync: c.KAFKA_MIN_INSYNC_REPLICAS },
  };
}
