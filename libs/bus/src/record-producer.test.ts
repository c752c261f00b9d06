import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Kafka, Message } from 'kafkajs';
import { splitRecordValue } from '@sipcap/record';
import { keyHash } from './key-partitioner';
import { classifyProduceError, packRequest, requestEnd, splitRefused, unacknowledged, type QueuedRecord } from './produce-request';
import { RecordProducer } from './record-producer';

const log = pino({ level: 'silent' });
const PARTITIONS = 3;
const partitionOf = (key: string) => (keyHash(key) & 0x7fffffff) % PARTITIONS;

/** A record whose value names it (`tag`), `size` bytes long. */
function rec(key: string, tag: string, size = 40): QueuedRecord {
  const v = Buffer.alloc(Math.max(size, tag.length + 1), 0x2e);
  v.write(`${tag};`);
  return { key, value: v };
}
const tagOf = (v: Buffer) => v.toString('latin1').split(';')[0];
const tagsOf = (m: Message) => {
  const s = splitRecordValue(m.value as Buffer);
  if (!s.ok) throw new Error(s.message);
  return s.records.map(tagOf);
};

function kafkaError(type: string, retriable: boolean): Error {
  return Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type, retriable });
}

/**
 * A broker without a network: per partition a log; a partition's messages of one request are one batch,
 * appended whole or refused whole (MESSAGE_TOO_LARGE above `maxMessageBytes`), and a batch already
 * appended is acknowledged again without being appended (the idempotent producer's duplicate check, here
 * by identity of the messages, which is what equal sequence numbers stand for).
 */
class FakeBroker {
  logs = new Map<number, string[]>();
  appended = new Set<Message>();
  requests: Message[][] = [];
  /** Answers to the next sends, before the log rules apply (an error, or 'hang': no answer until disconnect). */
  script: (Error | 'hang')[] = [];
  /** Partitions the next send leaves out yet resolves without (what kafkajs does after a leader change). */
  skipNext = new Set<number>();
  hangs: ((e: Error) => void)[] = [];
  disconnectHangs = false;
  constructor(public maxMessageBytes = 1024 * 1024) {}

  kafka(): Kafka {
    return {
      producer: () => ({
        events: { DISCONNECT: 'producer.disconnect' },
        on: () => undefined,
        connect: async () => undefined,
        disconnect: async () => {
          for (const h of this.hangs.splice(0))
            h(Object.assign(new Error('The producer is disconnected'), { name: 'KafkaJSError', retriable: true }));
          if (this.disconnectHangs) await new Promise(() => undefined);
        },
        send: ({ messages }: { messages: Message[] }) => this.send(messages),
      }),
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        fetchTopicMetadata: async () => ({ topics: [{ partitions: Array.from({ length: PARTITIONS }, (_, i) => ({ partitionId: i })) }] }),
        describeConfigs: async () => {
          throw new Error('not allowed');
        },
      }),
    } as unknown as Kafka;
  }

  private async send(messages: Message[]): Promise<unknown> {
    this.requests.push(messages);
    const next = this.script.shift();
    if (next === 'hang') return new Promise((_, reject) => this.hangs.push(reject));
    if (next) throw next;
    const byPartition = new Map<number, Message[]>();
    for (const m of messages) byPartition.set(m.partition!, [...(byPartition.get(m.partition!) ?? []), m]);
    let refused = false;
    const skipped = this.skipNext;
    this.skipNext = new Set();
    for (const [p, ms] of byPartition) {
      if (skipped.has(p)) continue;
      if (ms.every((m) => this.appended.has(m))) continue;
      if (ms.reduce((n, m) => n + (m.value as Buffer).length, 0) > this.maxMessageBytes) {
        refused = true;
        continue;
      }
      for (const m of ms) {
        this.appended.add(m);
        this.logs.set(p, [...(this.logs.get(p) ?? []), ...tagsOf(m)]);
      }
    }
    // Like the produce response parse: one refused partition fails the request, the others stay appended.
    if (refused) throw kafkaError('MESSAGE_TOO_LARGE', false);
    return [...byPartition.keys()].filter((p) => !skipped.has(p)).map((partition) => ({ topicName: 't', partition, errorCode: 0 }));
  }

  all(): string[] {
    return [...this.logs.values()].flat();
  }
}

async function counter(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

function producer(broker: FakeBroker, opts: Partial<ConstructorParameters<typeof RecordProducer>[1]> = {}) {
  const registry = new Registry();
  const p = new RecordProducer(broker.kafka(), {
    topic: 't',
    batchMax: 500,
    lingerMs: 1,
    queueMax: 100_000,
    compression: 'none',
    log,
    registry,
    ...opts,
  });
  return { p, registry };
}

describe('packing a produce request', () => {
  it('ends a request before a record that takes its partition past the bound, but always takes one record', () => {
    const key = 'same-call';
    const records = [rec(key, 'a', 400), rec(key, 'b', 400), rec(key, 'c', 400)];
    expect(requestEnd(records, 0, 100, partitionOf, 1000)).toBe(2);
    expect(requestEnd(records, 2, 100, partitionOf, 1000)).toBe(3);
    // One record above the bound still goes alone (the producer drops such records before the queue).
    expect(requestEnd([rec(key, 'big', 5000), rec(key, 'x')], 0, 100, partitionOf, 1000)).toBe(1);
    expect(requestEnd(records, 0, 2, partitionOf, 1_000_000)).toBe(2);
  });

  it('packs one message per partition in queue order, split when a message grows past its bound', () => {
    const records = Array.from({ length: 30 }, (_, i) => rec(`call-${i % 7}`, `r${i}`, 100));
    const messages = packRequest(records, partitionOf, 1_000_000);
    expect(new Set(messages.map((m) => m.partition)).size).toBe(messages.length);
    for (const m of messages) {
      expect(tagsOf(m.message)).toEqual(records.filter((r) => partitionOf(r.key) === m.partition).map((r) => tagOf(r.value)));
    }
    const small = packRequest(records, partitionOf, 350);
    expect(small.every((m) => m.records.length <= 3)).toBe(true);
    expect(small.flatMap((m) => m.records).length).toBe(30);
  });
});

describe('splitting a request the broker refused for good', () => {
  const records = Array.from({ length: 12 }, (_, i) => rec(`call-${i}`, `r${i}`));
  const req = packRequest(records, partitionOf, 1_000_000);

  it('first into one request per partition, each with its messages exactly as they were', () => {
    expect(req.length).toBeGreaterThan(1);
    const parts = splitRefused(req)!;
    expect(parts.length).toBe(req.length);
    for (const part of parts) {
      expect(part.length).toBe(1);
      // The same message objects: nothing the broker may have appended is repacked.
      expect(req).toContain(part[0]);
    }
  });

  it('then one request per message, then halves of a message, and undefined for a record alone', () => {
    const one = packRequest(
      records.filter((r) => partitionOf(r.key) === 0),
      partitionOf,
      100,
    );
    expect(one.length).toBeGreaterThan(1);
    expect(splitRefused(one)).toEqual(one.map((m) => [m]));
    const msg = packRequest(
      records.filter((r) => partitionOf(r.key) === 0),
      partitionOf,
      1_000_000,
    );
    expect(msg.length).toBe(1);
    const halves = splitRefused(msg)!;
    expect(halves.length).toBe(2);
    expect(halves.flatMap((h) => h.flatMap((m) => tagsOf(m.message)))).toEqual(tagsOf(msg[0].message));
    expect(splitRefused(packRequest([records[0]], partitionOf, 1_000_000))).toBeUndefined();
  });
});

describe('what a resolved send did not acknowledge', () => {
  it('is every message whose partition is missing from the answer', () => {
    const req = packRequest(
      Array.from({ length: 12 }, (_, i) => rec(`k${i}`, `r${i}`)),
      partitionOf,
      1_000_000,
    );
    expect(req.length).toBe(PARTITIONS);
    expect(
      unacknowledged(
        req,
        req.map((m) => ({ partition: m.partition })),
      ),
    ).toEqual([]);
    expect(unacknowledged(req, [{ partition: req[0].partition }])).toEqual(req.slice(1));
    expect(unacknowledged(req, [])).toEqual(req);
  });
});

describe('classifying a produce error', () => {
  it('splits on a refusal for good, resends on what may pass', () => {
    expect(classifyProduceError(kafkaError('MESSAGE_TOO_LARGE', false))).toEqual({ action: 'split', type: 'MESSAGE_TOO_LARGE' });
    // kafkajs' retrier wraps a non-retriable error it gave up on.
    const wrapped = Object.assign(new Error('x'), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: kafkaError('INVALID_RECORD', false),
    });
    expect(classifyProduceError(wrapped)).toEqual({ action: 'split', type: 'INVALID_RECORD' });
    expect(classifyProduceError(kafkaError('NOT_ENOUGH_REPLICAS', true)).action).toBe('resend');
    expect(classifyProduceError(Object.assign(new Error('closed'), { name: 'KafkaJSConnectionError', retriable: true })).action).toBe(
      'resend',
    );
    expect(classifyProduceError(kafkaError('TOPIC_AUTHORIZATION_FAILED', false)).action).toBe('resend');
    // What a leader change can answer is never the records' fault: resent, never dropped.
    for (const type of ['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'DUPLICATE_SEQUENCE_NUMBER']) {
      expect(classifyProduceError(kafkaError(type, false)).action, type).toBe('resend');
    }
    const exhausted = Object.assign(new Error('x'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: kafkaError('REQUEST_TIMED_OUT', true),
    });
    expect(classifyProduceError(exhausted).action).toBe('resend');
    const bug = Object.assign(new Error('x'), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
      cause: new RangeError('offset out of range'),
    });
    expect(classifyProduceError(bug)).toEqual({ action: 'split', type: 'RangeError' });
  });
});

describe('RecordProducer against a fake broker', () => {
  it('drops a record above KAFKA_MAX_RECORD_BYTES before the queue, counted too_large', async () => {
    const broker = new FakeBroker();
    const { p, registry } = producer(broker, { maxRecordBytes: 1000 });
    expect(p.publish('c', Buffer.alloc(1001))).toBe(false);
    expect(p.queued).toBe(0);
    expect(p.publish('c', Buffer.alloc(1000))).toBe(true);
    expect(await counter(registry, 'sipcap_kafka_dropped_total', { reason: 'too_large' })).toBe(1);
  });

  it('bounds the queue in bytes as well as records, counted queue_full', async () => {
    const broker = new FakeBroker();
    const { p, registry } = producer(broker, { queueMax: 1000, queueMaxBytes: 10_000 });
    let taken = 0;
    for (let i = 0; i < 50; i++) if (p.publish(`c${i}`, Buffer.alloc(1000))) taken++;
    expect(taken).toBe(10);
    expect(p.queueBytes).toBe(10_000);
    expect(await counter(registry, 'sipcap_kafka_dropped_total', { reason: 'queue_full' })).toBe(40);
  });

  it('a record the broker refuses is dropped (broker_too_large) and every other record is stored once, in order per partition', async () => {
    const broker = new FakeBroker(10_000);
    const { p, registry } = producer(broker);
    const sent: QueuedRecord[] = [];
    const add = (r: QueuedRecord) => {
      p.publish(r.key, r.value);
      sent.push(r);
    };
    for (let i = 0; i < 20; i++) add(rec(`call-${i % 5}`, `before${i}`, 300));
    add(rec('call-1', 'BOMB', 50_000));
    for (let i = 0; i < 1000; i++) add(rec(`call-${i % 5}`, `after${i}`, 300));
    p.start();
    await p.flush(5000);
    expect(p.queued).toBe(0);
    expect(p.queueBytes).toBe(0);
    for (let part = 0; part < PARTITIONS; part++) {
      expect(broker.logs.get(part) ?? []).toEqual(
        sent.filter((r) => partitionOf(r.key) === part && tagOf(r.value) !== 'BOMB').map((r) => tagOf(r.value)),
      );
    }
    expect(await counter(registry, 'sipcap_kafka_dropped_total', { reason: 'broker_too_large' })).toBe(1);
    expect(await counter(registry, 'sipcap_kafka_published_total')).toBe(1020);
    expect(await counter(registry, 'sipcap_kafka_produce_requests_total', { result: 'refused' })).toBeGreaterThan(0);
    await p.stop(100);
  });

  it('resends a request failed by a retriable error exactly as it was, though more records came meanwhile', async () => {
    const broker = new FakeBroker();
    broker.script.push(kafkaError('NOT_LEADER_FOR_PARTITION', true));
    const { p } = producer(broker, { batchMax: 1000, lingerMs: 1 });
    for (let i = 0; i < 10; i++) p.publish(`c${i}`, rec(`c${i}`, `a${i}`).value);
    p.start();
    await new Promise((r) => setTimeout(r, 30));
    for (let i = 0; i < 10; i++) p.publish(`c${i}`, rec(`c${i}`, `b${i}`).value);
    await p.flush(5000);
    expect(broker.requests[1]).toEqual(broker.requests[0]);
    for (let i = 0; i < broker.requests[0].length; i++) expect(broker.requests[1][i]).toBe(broker.requests[0][i]);
    expect(broker.all().sort()).toEqual(
      [...Array.from({ length: 10 }, (_, i) => `a${i}`), ...Array.from({ length: 10 }, (_, i) => `b${i}`)].sort(),
    );
    await p.stop(100);
  });

  it('sends again, as they were, the partitions a resolved send left out (kafkajs after a leader change)', async () => {
    const broker = new FakeBroker();
    broker.skipNext = new Set([1]);
    const { p, registry } = producer(broker, { batchMax: 1000, lingerMs: 1 });
    const sent = Array.from({ length: 30 }, (_, i) => rec(`c${i}`, `r${i}`));
    for (const r of sent) p.publish(r.key, r.value);
    p.start();
    await p.flush(5000);
    expect(p.queued).toBe(0);
    expect(p.queueBytes).toBe(0);
    // The second request is partition 1's message of the first, the same object: the same batch (sequence).
    expect(broker.requests[1]).toEqual(broker.requests[0].filter((m) => m.partition === 1));
    expect(broker.requests[1][0]).toBe(broker.requests[0].find((m) => m.partition === 1));
    for (let part = 0; part < PARTITIONS; part++) {
      expect(broker.logs.get(part) ?? []).toEqual(sent.filter((r) => partitionOf(r.key) === part).map((r) => tagOf(r.value)));
    }
    expect(await counter(registry, 'sipcap_kafka_published_total')).toBe(30);
    expect(await counter(registry, 'sipcap_kafka_produce_requests_total', { result: 'partial' })).toBe(1);
    await p.stop(100);
  });

  it('stop() returns after the flush time while the broker never answers, and counts what remains as dropped (stopping)', async () => {
    const broker = new FakeBroker();
    broker.script.push('hang');
    const { p, registry } = producer(broker);
    p.start();
    for (let i = 0; i < 100; i++) p.publish(`c${i}`, Buffer.alloc(100, 1));
    const t0 = Date.now();
    await p.stop(300);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await counter(registry, 'sipcap_kafka_dropped_total', { reason: 'stopping' })).toBe(100);
    expect(p.queued).toBe(0);
    expect(p.publish('late', Buffer.alloc(10))).toBe(false);
  });

  it('stop() returns even when the disconnect itself never ends', async () => {
    const broker = new FakeBroker();
    broker.script.push('hang');
    broker.disconnectHangs = true;
    const { p, registry } = producer(broker);
    p.start();
    for (let i = 0; i < 10; i++) p.publish(`c${i}`, Buffer.alloc(100, 1));
    const t0 = Date.now();
    await p.stop(100);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await counter(registry, 'sipcap_kafka_dropped_total', { reason: 'stopping' })).toBe(10);
  });
});
