import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/** Resolves once the batch is durably handled; throwing makes the consumer re-read it later. */
export type BatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface BatchConsumerOptions {
  topic: string;
  groupId: string;
  log: Logger;
  registry?: Registry;
  /** Partitions handled at once; their batches are merged by the handler into larger inserts. */
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition?: number;
  sessionTimeoutMs?: number;
}

/**
 * A consumer-group member that hands each fetched batch to `handler` and commits the batch's offsets
 * only after the handler resolved, i.e. after the rows are committed in the database. While the
 * handler waits (a slow or absent database), it keeps the group session alive with heartbeats, so
 * the lag grows in Kafka and the partitions stay put.
 */
export class BatchConsumer {
  private readonly consumer: Consumer;
  private readonly m;
  private running = false;

  constructor(kafka: Kafka, private readonly opts: BatchConsumerOptions) {
    this.consumer = kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1024 * 1024,
      minBytes: 1,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      consumed: new Counter({ name: 'sipcap_kafka_consumed_total', help: 'Kafka messages handed to the writer', registers }),
      commits: new Counter({ name: 'sipcap_kafka_commits_total', help: 'Offset commits, by result', labelNames: ['result'], registers }),
      rebalances: new Counter({ name: 'sipcap_kafka_rebalances_total', help: 'Consumer group joins', registers }),
    };
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (e) => {
      this.m.rebalances.inc();
      opts.log.info({ assignment: e.payload.memberAssignment }, 'joined consumer group');
    });
    this.consumer.on(CRASH, (e) => opts.log.warn({ err: e.payload.error?.message, restart: e.payload.restart }, 'consumer crashed'));
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(handler: BatchHandler): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.opts.topic, fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        this.m.consumed.inc(batch.messages.length);
        const done = handler({ topic: batch.topic, partition: batch.partition, messages: batch.messages });
        // Keep the session alive while the database takes its time.
        let settled = false;
        done.then(() => (settled = true), () => (settled = true));
        while (!settled) {
          await Promise.race([done.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
          if (!settled) await heartbeat().catch(() => undefined);
        }
        await done; // rethrows: kafkajs then re-fetches from the last committed offset
        const last = batch.messages[batch.messages.length - 1].offset;
        resolveOffset(last);
        try {
          await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          this.m.commits.inc({ result: 'ok' });
        } catch (e) {
          // Rows are stored and the database's offset table knows it; a lost commit only means re-reading
          // messages that the store then skips.
          this.m.commits.inc({ result: 'error' });
          this.opts.log.warn({ err: (e as Error).message, partition: batch.partition }, 'offset commit failed after a stored batch');
        }
        await heartbeat().catch(() => undefined);
      },
    });
  }

  pause(): void {
    this.consumer.pause([{ topic: this.opts.topic }]);
  }

  resume(): void {
    this.consumer.resume([{ topic: this.opts.topic }]);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }
}
