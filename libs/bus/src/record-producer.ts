import { CompressionTypes, ConfigResourceTypes, type Admin, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { keyHash, keyPartitioner } from './key-partitioner';
import {
  classifyProduceError,
  packRequest,
  refusedReason,
  requestBytes,
  requestEnd,
  requestRecords,
  unacknowledged,
  splitRefused,
  type ProduceRequest,
  type QueuedRecord,
} from './produce-request';

export interface RecordProducerOptions {
  topic: string;
  /** Most records per produce request. */
  batchMax: number;
  /** How long a message may wait for others before a request is sent (kafkajs has no linger of its own). */
  lingerMs: number;
  /** Bound of the in-memory queue while the broker is slow or unreachable; beyond it records are dropped and counted. */
  queueMax: number;
  /** KAFKA_QUEUE_MAX_BYTES: the same bound in bytes of record encodings (default 256 MiB). */
  queueMaxBytes?: number;
  /**
   * KAFKA_MAX_RECORD_BYTES: a larger record is dropped before the queue (reason too_large); also the most
   * bytes of one partition in a request. Lowered to the topic's max.message.bytes when that is smaller.
   */
  maxRecordBytes?: number;
  /** KAFKA_FLUSH_TIMEOUT_MS: how long stop() waits for Kafka before it drops what remains (default 10 s). */
  flushTimeoutMs?: number;
  compression: 'none' | 'gzip';
  log: Logger;
  registry?: Registry;
}

/** Largest Kafka value a record batch grows to (the broker's default message.max.bytes is 1 MiB). */
const MAX_BATCH_VALUE_BYTES = 512 * 1024;
export const DEFAULT_MAX_RECORD_BYTES = 900 * 1024;
export const DEFAULT_QUEUE_MAX_BYTES = 256 * 1024 * 1024;
/** Room left under the topic's max.message.bytes for Kafka's own batch and record headers. */
const KAFKA_BATCH_HEADROOM = 1024;
/** How long stop() waits for the producer to disconnect and the request in flight to end. */
const STOP_GRACE_MS = 3000;

/** Why a record did not reach Kafka: the values of sipcap_kafka_dropped_total{reason}. */
export const PRODUCER_DROP_REASONS = ['too_large', 'queue_full', 'broker_too_large', 'refused', 'stopping'] as const;
export type ProducerDropReason = (typeof PRODUCER_DROP_REASONS)[number];
/** The results of a produce request, the label of sipcap_kafka_produce_requests_total. */
export const PRODUCE_RESULTS = ['ok', 'partial', 'refused', 'error'] as const;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for `p`, at most `ms` (the timer is cleared once `p` settles: no timer outlives the wait). */
async function within(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}
/** How often the topic's partition count is looked up again (partitions may be added). */
const METADATA_REFRESH_MS = 60_000;

/**
 * Batches records in the app (kafkajs sends one request per send()), and keeps a bounded queue while the
 * broker is unreachable. Each request packs the queued records of one partition into one Kafka message
 * (a record batch, see @sipcap/record): kafkajs' cost per message is paid once per batch, not per record.
 * The partition of a record is the one Kafka's default partitioner gives its Call-ID, so a call stays in
 * order on one partition. One request is in flight at a time, so a failed batch is retried before
 * anything behind it.
 *
 * It can not stall: a record above the largest size is dropped before the queue; the queue is bounded in
 * records and bytes; a request refused for good (a non-retriable error such as MESSAGE_TOO_LARGE) is split
 * until the refused record is alone, and that record is dropped (see splitRefused); stop() returns after
 * the flush time, dropping what remains. Every drop is counted by reason (PRODUCER_DROP_REASONS).
 */
export class RecordProducer {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private partitions = 0;
  private partitionsAt = 0;
  private queue: QueuedRecord[] = [];
  /**
   * The records queue[head, end) being sent: the requests still to send, pending[0] first, each kept as it
   * is until Kafka took it (or refused it for good: then it is replaced by its parts).
   */
  private attempt: { end: number; pending: ProduceRequest[]; done: number } | undefined;
  private head = 0;
  private queuedBytes = 0;
  /** The topic's max.message.bytes when it is below maxRecordBytes (read with the partition count). */
  private topicMaxBytes = Infinity;
  private readonly dropLogged = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private connected = false;
  private stopped = false;
  private backoffMs = 0;
  private readonly m;

  constructor(
    kafka: Kafka,
    private readonly opts: RecordProducerOptions,
  ) {
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
      dropped: new Counter({
        name: 'sipcap_kafka_dropped_total',
        help: 'Records that did not reach Kafka, by reason (too_large, queue_full, broker_too_large, refused, stopping)',
        labelNames: ['reason'],
        registers,
      }),
      requests: new Counter({
        name: 'sipcap_kafka_produce_requests_total',
        help: 'Produce requests, by result (ok; partial: acknowledged without some partitions, which are sent again; refused; error)',
        labelNames: ['result'],
        registers,
      }),
      latency: new Histogram({
        name: 'sipcap_kafka_produce_seconds',
        help: 'Produce request duration',
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
        registers,
      }),
    };
    for (const reason of PRODUCER_DROP_REASONS) this.m.dropped.inc({ reason }, 0);
    for (const result of PRODUCE_RESULTS) this.m.requests.inc({ result }, 0);
    // Read at scrape time (prom-client calls collect() with the gauge as `this`).
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('sipcap_kafka_queue_records', 'Records waiting for Kafka', () => this.queued);
    gauge('sipcap_kafka_queue_bytes', 'Bytes of the records waiting for Kafka', () => this.queuedBytes);
    gauge('sipcap_kafka_connected', '1 while the producer is connected', () => (this.connected ? 1 : 0));
  }

  get queued(): number {
    return this.queue.length - this.head - (this.attempt?.done ?? 0);
  }

  get queueBytes(): number {
    return this.queuedBytes;
  }

  /** The largest record taken: KAFKA_MAX_RECORD_BYTES, or less when the topic's max.message.bytes is smaller. */
  get maxRecordBytes(): number {
    return Math.min(this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, this.topicMaxBytes);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects in the background; records queue up meanwhile. */
  start(): void {
    void this.connect();
  }

  /** Queues one record; false when it was dropped (counted by reason: too large, queue full, stopping). */
  publish(key: string, value: Buffer): boolean {
    if (this.stopped) return this.drop('stopping', 1);
    if (value.length > this.maxRecordBytes) return this.drop('too_large', 1, { bytes: value.length, max: this.maxRecordBytes, key });
    if (this.queued >= this.opts.queueMax || this.queuedBytes + value.length > (this.opts.queueMaxBytes ?? DEFAULT_QUEUE_MAX_BYTES))
      return this.drop('queue_full', 1);
    this.queue.push({ key, value });
    this.queuedBytes += value.length;
    if (this.queued >= this.opts.batchMax) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
    return true;
  }

  /** Sends what is queued; resolves when the queue is empty or `timeoutMs` has passed (never later). */
  async flush(timeoutMs = this.opts.flushTimeoutMs ?? 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queued > 0 && Date.now() < deadline) {
      this.kick();
      const left = deadline - Date.now();
      if (this.sending) await within(this.sending, left);
      else await sleep(Math.min(20, Math.max(0, left)));
    }
  }

  /**
   * Flushes for at most `timeoutMs`, then drops what Kafka did not take (counted, reason stopping, and
   * logged) and disconnects. Always returns: within timeoutMs and a few seconds for the disconnect.
   */
  async stop(timeoutMs = this.opts.flushTimeoutMs ?? 10_000): Promise<void> {
    await this.flush(timeoutMs);
    this.stopped = true;
    clearTimeout(this.timer);
    // A request in flight may be in kafkajs' own retries (a broker that keeps answering a retriable
    // error): the disconnect ends it; neither is waited for longer than the grace time.
    const disconnected = Promise.all([this.producer.disconnect().catch(() => undefined), this.admin.disconnect().catch(() => undefined)]);
    await within(
      disconnected.then(() => this.sending),
      STOP_GRACE_MS,
    );
    const left = this.queued;
    if (left > 0) {
      this.opts.log.error(
        { records: left, bytes: this.queuedBytes, flushTimeoutMs: timeoutMs },
        'stopping with records Kafka did not take: dropped',
      );
      this.m.dropped.inc({ reason: 'stopping' }, left);
    }
    this.queue = [];
    this.head = 0;
    this.attempt = undefined;
    this.queuedBytes = 0;
  }

  private drop(reason: ProducerDropReason, records: number, detail?: Record<string, unknown>): false {
    this.m.dropped.inc({ reason }, records);
    // The first few of each reason are logged; the counter has them all.
    const n = this.dropLogged.get(reason) ?? 0;
    if (detail && n < 10) {
      this.dropLogged.set(reason, n + 1);
      this.opts.log.warn({ reason, records, topic: this.opts.topic, ...detail }, 'record dropped before Kafka');
    }
    return false;
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
        this.opts.log.warn(
          { err: (e as Error).message, retryInMs: this.backoffMs, queued: this.queued },
          'Kafka unreachable; queueing records',
        );
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
    if (this.partitions !== 0 && n !== this.partitions)
      this.opts.log.warn({ topic: this.opts.topic, was: this.partitions, now: n }, 'topic partition count changed');
    this.partitions = n;
    this.partitionsAt = Date.now();
    await this.readTopicMaxBytes();
  }

  /** The topic's max.message.bytes (the broker's limit unless the topic sets its own), when it can be read. */
  private async readTopicMaxBytes(): Promise<void> {
    try {
      const r = await this.admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: this.opts.topic, configNames: ['max.message.bytes'] }],
      });
      const v = Number(r.resources[0]?.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue);
      if (!Number.isFinite(v) || v <= 0) return;
      const limit = Math.max(1024, v - KAFKA_BATCH_HEADROOM);
      const setting = this.opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
      const was = this.topicMaxBytes;
      this.topicMaxBytes = limit < setting ? limit : Infinity;
      if (this.topicMaxBytes !== was && this.topicMaxBytes !== Infinity) {
        this.opts.log.warn(
          { topic: this.opts.topic, maxMessageBytes: v, maxRecordBytes: setting, now: limit },
          "the topic's max.message.bytes is below KAFKA_MAX_RECORD_BYTES: records and batches are kept below the topic's limit",
        );
      }
    } catch (e) {
      // Not allowed to read topic configs (ACL): KAFKA_MAX_RECORD_BYTES alone bounds records; a smaller
      // broker limit is met by splitting refused requests.
      this.opts.log.debug({ err: (e as Error).message }, 'could not read the topic max.message.bytes');
    }
  }

  private readonly partitionOf = (key: string): number => (keyHash(key) & 0x7fffffff) % this.partitions;

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || !this.connected || this.stopped || this.queued === 0) return;
    this.sending = this.sendLoop().finally(() => (this.sending = undefined));
  }

  private async sendLoop(): Promise<void> {
    while (this.queued > 0 && this.connected && !this.stopped) {
      const t0 = process.hrtime.bigint();
      let request: ProduceRequest | undefined;
      try {
        // A failed request is sent again exactly as it was. The broker recognises a batch it already
        // appended (its answer lost) by the producer's sequence numbers, not by content: a retry that
        // packed more records under the same sequence would be acknowledged and its records dropped.
        if (!this.attempt) {
          if (Date.now() - this.partitionsAt > METADATA_REFRESH_MS) await this.refreshPartitions();
          const max = this.maxRecordBytes;
          const partitions: number[] = [];
          const end = requestEnd(this.queue, this.head, this.opts.batchMax, this.partitionOf, max, partitions);
          const messages = packRequest(
            this.queue.slice(this.head, end),
            this.partitionOf,
            Math.min(MAX_BATCH_VALUE_BYTES, max),
            partitions,
          );
          this.attempt = { end, pending: [messages], done: 0 };
        }
        request = this.attempt.pending[0];
        const acknowledged = await this.producer.send({
          topic: this.opts.topic,
          acks: -1,
          compression: this.opts.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: request.map((m) => m.message),
        });
        if (this.stopped) return;
        this.m.latency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
        const missing = unacknowledged(request, acknowledged);
        if (missing.length > 0) {
          // kafkajs resolved without writing these partitions (a leader moved during its retry): the
          // acknowledged part leaves the queue, the rest is sent again as it was.
          this.m.requests.inc({ result: 'partial' });
          this.opts.log.warn(
            { partitions: missing.map((m) => m.partition), records: requestRecords(missing) },
            'Kafka acknowledged the request without these partitions (leader change); sending them again',
          );
          const taken = request.filter((m) => !missing.includes(m));
          this.published(taken);
          this.settle(taken, missing);
          continue;
        }
        this.m.requests.inc({ result: 'ok' });
        this.published(request);
        this.settle(request);
        this.backoffMs = 0;
        if (this.attempt) continue;
        // Less than a full request waiting: let it fill for the linger time (flush() kicks at once). Sending
        // whatever came in during the last request made many small requests, each costing the agent and
        // the broker far more per record than a full one.
        if (this.queued > 0 && this.queued < this.opts.batchMax) {
          this.timer ??= setTimeout(() => this.kick(), this.opts.lingerMs);
          break;
        }
      } catch (e) {
        if (this.stopped) return;
        const { action, type } = classifyProduceError(e);
        if (action === 'split' && request && this.attempt) {
          // Refused for good: resending it would be refused forever. Its parts go instead; a record
          // refused alone is dropped.
          this.m.requests.inc({ result: 'refused' });
          // The topic's limit may have been lowered: read it again before the next request is packed.
          if (refusedReason(type) === 'broker_too_large') this.partitionsAt = 0;
          const parts = splitRefused(request);
          if (parts) {
            this.attempt.pending.splice(0, 1, ...parts);
          } else {
            this.drop(refusedReason(type), 1, { error: type, bytes: requestBytes(request), key: request[0]?.records[0]?.key });
            this.settle(request);
          }
          continue;
        }
        this.m.requests.inc({ result: 'error' });
        this.backoffMs = Math.min(Math.max(this.backoffMs * 2, 100), 5000);
        this.opts.log.warn(
          { err: (e as Error).message, type, queued: this.queued, retryInMs: this.backoffMs },
          'produce failed; will retry',
        );
        await sleep(this.backoffMs);
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

  private published(taken: ProduceRequest): void {
    this.m.published.inc(requestRecords(taken));
    this.m.messages.inc(taken.length);
  }

  /**
   * pending[0] is done: `taken` (all of it, or the part Kafka acknowledged) leaves the queue; `rest`, the
   * part still to send, takes its place.
   */
  private settle(taken: ProduceRequest, rest?: ProduceRequest): void {
    const a = this.attempt!;
    if (rest) a.pending[0] = rest;
    else a.pending.shift();
    a.done += requestRecords(taken);
    for (const m of taken) for (const r of m.records) this.queuedBytes -= r.value.length;
    if (a.pending.length > 0) return;
    this.head = a.end;
    this.attempt = undefined;
    // Compact the queue array now and then instead of shifting on every batch.
    if (this.head > 65_536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
