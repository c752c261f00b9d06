import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { classifyProduceError } from './produce-request';

export interface DeadLetterInput {
  partition: number;
  offset: bigint;
  /** Place of the record in its Kafka message (a record batch holds many). */
  index: number;
  key: Buffer | null;
  value: Buffer | null;
  error: string;
}

export interface DeadLetterPublisherOptions {
  topic: string;
  sourceTopic: string;
  /** KAFKA_MAX_RECORD_BYTES: the most bytes of one dead letter and of one request (default 900 KiB). */
  maxBytes?: number;
  log?: Logger;
  registry?: Registry;
}

/** Header of a dead letter whose value was cut: the length in bytes of the whole value. */
export const TRUNCATED_HEADER = 'sipcap-truncated';
/** Room for Kafka's own record and batch headers in a request. */
const KAFKA_OVERHEAD = 512;
/** The longest key kept whole (a Call-ID); a longer one is cut like a value. */
const MAX_KEY_BYTES = 1024;

interface Letter {
  message: Message;
  /** The value as it is sent now (maybe cut), and the whole one. */
  value: Buffer | null;
  whole: number;
}

/**
 * Sends records the database can never take to the dead-letter topic: each record alone (its own
 * encoding, also when it came in a record batch) with its message's key, and the error and the source
 * position (partition, offset, index in the batch) in headers, so they can be inspected and replayed.
 *
 * It can not stall a writer's partition: letters go in requests of at most `maxBytes`; a letter above it
 * is cut to fit, with header `sipcap-truncated` = the length of the whole value; a request the broker
 * refuses for good (MESSAGE_TOO_LARGE: the topic's limit is lower) is split, and a letter refused alone is
 * cut to half its value until it is taken (down to no value at all), or dropped and counted when even that
 * is refused. An error that may pass (broker away) is thrown: the caller retries.
 */
export class DeadLetterPublisher {
  private readonly producer: Producer;
  private readonly maxBytes: number;
  private readonly m;
  private partitions: number | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: DeadLetterPublisherOptions,
  ) {
    this.producer = kafka.producer({ allowAutoTopicCreation: false });
    this.maxBytes = opts.maxBytes ?? 900 * 1024;
    const registers = opts.registry ? [opts.registry] : [];
    this.m = {
      truncated: new Counter({
        name: 'sipcap_dead_letters_truncated_total',
        help: 'Dead letters whose value was cut to fit the size bound (header sipcap-truncated)',
        registers,
      }),
      resent: new Counter({
        name: 'sipcap_dead_letters_resent_total',
        help: 'Dead letters sent again because Kafka acknowledged their request without their partition (leader change)',
        registers,
      }),
      dropped: new Counter({
        name: 'sipcap_dead_letters_dropped_total',
        help: 'Dead letters the broker refused even without a value, by Kafka error',
        labelNames: ['error'],
        registers,
      }),
    };
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.partitions = await this.topicPartitions();
  }

  /**
   * The topic's partition count, so each letter names its partition and a send that resolves without
   * some partitions (kafkajs after a leader change, see unacknowledged()) is noticed. Undefined when it
   * can not be read (ACL): letters are then partitioned by kafkajs and that check is off.
   */
  private async topicPartitions(): Promise<number | undefined> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const meta = await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
      return meta.topics[0]?.partitions.length || undefined;
    } catch (e) {
      this.opts.log?.debug({ err: (e as Error).message, topic: this.opts.topic }, 'could not read the dead-letter topic partitions');
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async publish(letters: readonly DeadLetterInput[]): Promise<void> {
    const prepared = letters.map((l) => this.letter(l));
    let request: Letter[] = [];
    let bytes = 0;
    for (const l of prepared) {
      const size = letterBytes(l.message);
      if (request.length > 0 && bytes + size > this.maxBytes) {
        await this.send(request);
        request = [];
        bytes = 0;
      }
      request.push(l);
      bytes += size;
    }
    if (request.length > 0) await this.send(request);
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** The letter's message, its value cut when the whole would pass maxBytes. */
  private letter(l: DeadLetterInput): Letter {
    let key = l.key;
    const headers: Record<string, string> = {
      'sipcap-error': l.error.slice(0, 2000),
      'sipcap-source-topic': this.opts.sourceTopic,
      'sipcap-source-partition': String(l.partition),
      'sipcap-source-offset': String(l.offset),
      'sipcap-source-index': String(l.index),
    };
    if (key && key.length > MAX_KEY_BYTES) {
      headers['sipcap-truncated-key'] = String(key.length);
      key = key.subarray(0, MAX_KEY_BYTES);
    }
    const message: Message = { key, value: l.value, headers, partition: this.partitions && l.partition % this.partitions };
    const letter: Letter = { message, value: l.value, whole: l.value?.length ?? 0 };
    const over = letterBytes(message) - this.maxBytes;
    if (over > 0 && l.value) this.cut(letter, Math.max(0, l.value.length - over - 64));
    return letter;
  }

  private cut(l: Letter, length: number): void {
    if (!l.value) return;
    if (l.message.headers![TRUNCATED_HEADER] === undefined) this.m.truncated.inc();
    l.value = length > 0 ? l.value.subarray(0, length) : null;
    l.message = { ...l.message, value: l.value, headers: { ...l.message.headers, [TRUNCATED_HEADER]: String(l.whole) } };
  }

  private async send(request: Letter[]): Promise<void> {
    try {
      const acknowledged = await this.producer.send({ topic: this.opts.topic, acks: -1, messages: request.map((l) => l.message) });
      if (this.partitions === undefined) return;
      const acked = new Set(acknowledged.map((a) => a.partition));
      const missing = request.filter((l) => !acked.has(l.message.partition!));
      // Left out by kafkajs during a leader change: sent again (a letter the old leader did append may be
      // in the topic twice; dead letters are at least once).
      if (missing.length > 0) {
        this.m.resent.inc(missing.length);
        await this.send(missing);
      }
    } catch (e) {
      const { action, type } = classifyProduceError(e);
      if (action === 'resend') throw e;
      if (request.length > 1) {
        const half = Math.ceil(request.length / 2);
        await this.send(request.slice(0, half));
        await this.send(request.slice(half));
        return;
      }
      const [l] = request;
      if (l.value) {
        this.cut(l, Math.floor(l.value.length / 2));
        await this.send(request);
        return;
      }
      this.m.dropped.inc({ error: type });
      this.opts.log?.error(
        { error: type, topic: this.opts.topic, headers: l.message.headers },
        'the dead-letter topic refused a letter even without its value: dropped',
      );
    }
  }
}

function letterBytes(m: Message): number {
  let n = KAFKA_OVERHEAD / 8 + (m.key?.length ?? 0) + ((m.value as Buffer | null)?.length ?? 0);
  for (const [k, v] of Object.entries(m.headers ?? {})) n += k.length + String(v).length + 8;
  return n;
}
