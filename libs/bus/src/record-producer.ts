import { CompressionTypes, type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { encodeRecordBatch } from '@sipcap/record';
import { keyHash, keyPartitioner } from './key-partitioner';

export interface RecordProducerOptions {
  topic: string;
  /** Most records per produce request. */
  batchMax: number;
  /** How long a message may wait for others before a request is sent (kafkajs has no linger of its own). */
  lingerMs: number;
  /** Bound of the in-memory queue while the broker is slow or unreachable; beyond it records are dropped and counted. */
  queueMax: number;
  compression: 'none' | 'gzip';
  log: Logger;
  registry?: Registry;
}

interface QueuedRecord {
  key: string;
  value: Buffer;
}

/** Largest Kafka value a record batch grows to (the broker's default message.max.bytes is 1 MiB). */
const MAX_BATCH_VALUE_BYTES = 512 * 1024;
/** How often the topic's partition count is looked up again (partitions may be added). */
const METADATA_REFRESH_MS = 60_000;

/**
 * Batches records in the app (kafkajs sends one request per send()), and keeps a bounded queue while the
 * broker is unreachable. Each request packs the queued records of one partition into one Kafka message
 * (a record batch, see @sipcap/record): kafkajs' cost per message is paid once per batch, not per record.
 * The partition of a record is the one Kafka's default partitioner gives its Call-ID, so a call stays in
 * order on one partition. One request is in flight at a time, so a failed batch is retried before
 * anything behind it.
 */
export class RecordProducer {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private partitions = 0;
  private partitionsAt = 0;
  private queue: QueuedRecord[] = [];
  /** The request being sent: queue[head, end) packed into messages, kept as they are until Kafka took them. */
  private attempt: { end: number; messages: Message[] } | undefined;
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private connected = false;
  private stopped = false;
  private backoffMs = 0;
  private readonly m;

  constructor(kafka: Kafka, private readonly opts: RecordProducerOptions) {
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      // kafkajs' default partitioner (same partitions), without its per-message Long arithmetic.
      createPartitioner: keyPartitioner,
      // Idempotent: a request retried after a lost reply is not written twice by the broker.
      idempotent: true,
      maxInFlightRequests: 1,
      // The idempotent producer needs unlimited retries to keep its guarantee; the queue above is bounded.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 3000 },
    });
    this.producer.on(this.producer.events.DISCONNECT, () => (this.connected = false));
    this.admin = kafka.admin();
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      published: new Counter({ name: 'sipcap_kafka_published_total', help: 'Records acknowledged by Kafka', registers }),
      messages: new Counter({ name: 'sipcap_kafka_messages_total', help: 'Kafka messages (record batches) acknowledged', registers }),
      dropped: new Counter({ name: 'sipcap_kafka_dropped_total', help: 'Records dropped before Kafka, by reason', labelNames: ['reason'], registers }),
      requests: new Counter({ name: 'sipcap_kafka_produce_requests_total', help: 'Produce requests, by result', labelNames: ['result'], registers }),
      latency: new Histogram({ name: 'sipcap_kafka_produce_seconds', help: 'Produce request duration', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers }),
    };
    const self = this;
    new Gauge({ name: 'sipcap_kafka_queue_records', help: 'Records waiting for Kafka', registers, collect() { this.set(self.queued); } });
    new Gauge({ name: 'sipcap_kafka_connected', help: '1 while the producer is connected', registers, collect() { this.set(self.connected ? 1 : 0); } });
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects in the background; records queue up meanwhile. */
  start(): void {
    void this.connect();
  }

  /** Queues one record; false when it was dropped because the queue is full. */
  publish(key: string, value: Buffer): boolean {
    if (this.stopped) {
      this.m.dropped.inc({ reason: 'stopping' });
      return false;
    }
    if (this.queued >= this.opts.queueMax) {
      this.m.dropped.inc({ reason: 'queue_full' });
      return false;
    }
    this.queue.push({ key, value });
    if (this.queued >= this.opts.batchMax) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
    return true;
  }

  /** Sends what is queued; resolves when the queue is empty or `timeoutMs` has passed. */
  async flush(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queued > 0 && Date.now() < deadline) {
      this.kick();
      await (this.sending ?? new Promise((r) => setTimeout(r, 20)));
    }
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs);
    this.stopped = true;
    if (this.queued > 0) {
      this.opts.log.error({ records: this.queued }, 'stopping with records Kafka did not accept');
      this.m.dropped.inc({ reason: 'stopping' }, this.queued);
    }
    clearTimeout(this.timer);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    while (!this.connected && !this.stopped) {
      try {
        await this.producer.connect();
        await this.refreshPartitions();
        this.connected = true;
        this.backoffMs = 0;
        this.opts.log.info({ topic: this.opts.topic }, 'producer connected');
        this.kick();
      } catch (e) {
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 250), 5000);
        this.opts.log.warn({ err: (e as Error).message, retryInMs: this.backoffMs, queued: this.queued }, 'Kafka unreachable; queueing records');
        await new Promise((r) => setTimeout(r, this.backoffMs));
      }
    }
  }

  /** The topic's partition count, which decides where each Call-ID goes (as Kafka's default partitioner). */
  private async refreshPartitions(): Promise<void> {
    await this.admin.connect();
    const meta = await this.admin.fetchTopicMetadata({ topics: [this.opts.topic] });
    const n = meta.topics[0]?.partitions.length ?? 0;
    if (n === 0) throw new Error(`topic ${this.opts.topic} has no partitions`);
    if (this.partitions !== 0 && n !== this.partitions) this.opts.log.warn({ topic: this.opts.topic, was: this.partitions, now: n }, 'topic partition count changed');
    this.partitions = n;
    this.partitionsAt = Date.now();
  }

  /** One Kafka message per partition (or more when they grow past MAX_BATCH_VALUE_BYTES), records in queue order. */
  private pack(records: readonly QueuedRecord[]): Message[] {
    const n = this.partitions;
    const byPartition: QueuedRecord[][] = new Array(n);
    for (const r of records) {
      const p = (keyHash(r.key) & 0x7fffffff) % n;
      (byPartition[p] ??= []).push(r);
    }
    const messages: Message[] = [];
    for (let p = 0; p < n; p++) {
      const rs = byPartition[p];
      if (!rs) continue;
      let start = 0;
      let bytes = 0;
      for (let i = 0; i < rs.length; i++) {
        bytes += rs[i].value.length + 4;
        if (bytes > MAX_BATCH_VALUE_BYTES && i > start) {
          messages.push({ partition: p, value: encodeRecordBatch(rs.slice(start, i).map((r) => r.value)) });
          start = i;
          bytes = rs[i].value.length + 4;
        }
      }
      messages.push({ partition: p, value: encodeRecordBatch(rs.slice(start).map((r) => r.value)) });
    }
    return messages;
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || !this.connected || this.queued === 0) return;
    this.sending = this.sendLoop().finally(() => (this.sending = undefined));
  }

  private async sendLoop(): Promise<void> {
    while (this.queued > 0 && this.connected) {
      const t0 = process.hrtime.bigint();
      try {
        // A failed request is sent again exactly as it was. The broker recognises a batch it already
        // appended (its answer lost) by the producer's sequence numbers, not by content: a retry that
        // packed more records under the same sequence would be acknowledged and its records dropped.
        if (!this.attempt) {
          if (Date.now() - this.partitionsAt > METADATA_REFRESH_MS) await this.refreshPartitions();
          const end = Math.min(this.head + this.opts.batchMax, this.queue.length);
          this.attempt = { end, messages: this.pack(this.queue.slice(this.head, end)) };
        }
        const { end, messages } = this.attempt;
        await this.producer.send({
          topic: this.opts.topic,
          acks: -1,
          compression: this.opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages,
        });
        this.m.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
        this.m.requests.inc({ result: 'ok' });
        this.m.published.inc(end - this.head);
        this.m.messages.inc(messages.length);
        this.head = end;
        this.attempt = undefined;
        // Compact the queue array now and then instead of shifting on every batch.
        if (this.head > 65_536 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.backoffMs = 0;
        // Less than a full request waiting: let it fill for the linger time (flush() kicks at once). Sending
        // whatever came in during the last request made many small requests, each costing the agent and
        // the broker far more per record than a full one.
        if (this.queued > 0 && this.queued < this.opts.batchMax) {
          this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
          break;
        }
      } catch (e) {
        this.m.requests.inc({ result: 'error' });
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5000);
        this.opts.log.warn({ err: (e as Error).message, queued: this.queued, retryInMs: this.backoffMs }, 'produce failed; will retry');
        await new Promise((r) => setTimeout(r, this.backoffMs));
        if (!this.connected) {
          void this.connect();
          return;
        }
      }
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }
}
