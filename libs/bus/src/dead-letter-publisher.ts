import type { Kafka, Producer } from 'kafkajs';

export interface DeadLetterInput {
  partition: number;
  offset: bigint;
  /** Place of the record in its Kafka message (a record batch holds many). */
  index: number;
  key: Buffer | null;
  value: Buffer | null;
  error: string;
}

/**
 * Sends records the database can never take to the dead-letter topic: each record alone (its own
 * encoding, also when it came in a record batch) with its message's key, and the error and the source
 * position (partition, offset, index in the batch) in headers, so they can be inspected and replayed.
 */
export class DeadLetterPublisher {
  private readonly producer: Producer;

  constructor(kafka: Kafka, private readonly opts: { topic: string; sourceTopic: string }) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async publish(letters: readonly DeadLetterInput[]): Promise<void> {
    await this.producer.send({
      topic: this.opts.topic,
      acks: -1,
      messages: letters.map((l) => ({
        key: l.key,
        value: l.value,
        headers: {
          'sipcap-error': l.error.slice(0, 2000),
          'sipcap-source-topic': this.opts.sourceTopic,
          'sipcap-source-partition': String(l.partition),
          'sipcap-source-offset': String(l.offset),
          'sipcap-source-index': String(l.index),
        },
      })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
