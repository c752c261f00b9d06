export { createKafka } from './kafka-client';
export { kafkaSecurityOptions, kafkaAccessFailure, explainKafkaFailure, type KafkaSecurityOptions } from './kafka-security';
export { ensureTopic } from './topic';
export { captureTopicOf, topicReplication, type TopicReplication } from './topic-replication';
export { keyPartitioner, murmur2, keyHash } from './key-partitioner';
export {
  RecordProducer,
  PRODUCER_DROP_REASONS,
  DEFAULT_MAX_RECORD_BYTES,
  type RecordProducerOptions,
  type ProducerDropReason,
} from './record-producer';
export { BatchConsumer, type BatchConsumerOptions, type BatchHandler, type ConsumedBatch } from './batch-consumer';
export { consumerLag, topicEnds, type PartitionLag } from './consumer-lag';
export { DeadLetterPublisher, TRUNCATED_HEADER, type DeadLetterInput, type DeadLetterPublisherOptions } from './dead-letter-publisher';
export { PartitionProgress, type HeldLag, type HeldPartitionLag } from './partition-progress';
export { HeldLagSampler, type HeldLagSamplerOptions } from './held-lag-sampler';
