import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ConfigResourceTypes } from 'kafkajs';
import { DeadLetterPublisher, RecordProducer, TRUNCATED_HEADER } from '@sipcap/bus';
import { encodeRecord, sampleRecord } from '@sipcap/record';
import { quietLog, recordsOfValue, testKafka, uniqueName, waitFor } from './support/kafka';
import { readRaw } from './support/writer-fixtures';

/** A topic of its own, with topic-level configs (max.message.bytes, min.insync.replicas). */
async function topicWith(configs: Record<string, string>, partitions = 3): Promise<string> {
  const topic = uniqueName('refusal');
  const admin = testKafka().admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  await admin.disconnect();
  return topic;
}

async function setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: String(bytes) }] }],
  });
  await waitFor('the topic config to change', async () => {
    const r = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    });
    return r.resources[0].configEntries[0]?.configValue === String(bytes) ? true : undefined;
  });
  await admin.disconnect();
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((n, v) => n + v.value, 0);
}

const record = (i: number, msgBytes = 200) => {
  const callid = `call-${i % 40}@refusal`;
  return {
    callid,
    value: encodeRecord(sampleRecord({ callid, cseq: `${i} INVITE`, msg: Buffer.from(`INVITE sip:x ${'x'.repeat(msgBytes)}`) })),
  };
};

describe('Kafka producing can not stall (real broker)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('a record the broker refuses (topic max.message.bytes lowered to 10000 under a running producer) is dropped and counted; the following 1,000 records arrive', async () => {
    const topic = await topicWith({});
    const registry = new Registry();
    const producer = new RecordProducer(testKafka(), {
      topic,
      batchMax: 500,
      lingerMs: 5,
      queueMax: 100_000,
      compression: 'none',
      log: quietLog,
      registry,
    });
    producer.start();
    cleanup.push(() => producer.stop(1000));
    await waitFor('producer connected', () => producer.isConnected || undefined);
    // The producer read 1 MiB as the topic's limit; now the broker refuses more than 10000 bytes.
    await setMaxMessageBytes(topic, 10_000);

    expect(producer.publish('bomb@refusal', record(0, 50_000).value)).toBe(true);
    for (let i = 1; i <= 1000; i++) {
      const r = record(i);
      expect(producer.publish(r.callid, r.value)).toBe(true);
    }
    await producer.flush(30_000);
    expect(producer.queued).toBe(0);
    expect(await metric(registry, 'sipcap_kafka_dropped_total', { reason: 'broker_too_large' })).toBe(1);
    expect(await metric(registry, 'sipcap_kafka_produce_requests_total', { result: 'refused' })).toBeGreaterThan(0);
    expect(await metric(registry, 'sipcap_kafka_published_total', {})).toBe(1000);

    const raw = await readRaw(topic);
    cleanup.push(() => raw.stop());
    const seen = new Set<string>();
    await waitFor('the 1,000 records', () => {
      seen.clear();
      for (const m of raw.messages) for (const r of recordsOfValue(m.value)) seen.add(r.cseq);
      return seen.size >= 1000 ? true : undefined;
    });
    expect(seen.size).toBe(1000);
    expect([...seen].some((c) => c.startsWith('0 '))).toBe(false);
    // After the refusal the producer read the lower limit: later records above it are dropped before the queue.
    await waitFor('the new limit read', () => (producer.maxRecordBytes < 10_000 ? true : undefined), 10_000);
    expect(producer.publish('bomb@refusal', record(0, 50_000).value)).toBe(false);
    expect(await metric(registry, 'sipcap_kafka_dropped_total', { reason: 'too_large' })).toBe(1);
  });

  it('on a topic created with max.message.bytes=10000, records above it are dropped at the agent (too_large) and the rest go without one refusal', async () => {
    const topic = await topicWith({ 'max.message.bytes': '10000' });
    const registry = new Registry();
    const producer = new RecordProducer(testKafka(), {
      topic,
      batchMax: 500,
      lingerMs: 5,
      queueMax: 100_000,
      compression: 'none',
      log: quietLog,
      registry,
    });
    producer.start();
    cleanup.push(() => producer.stop(1000));
    await waitFor('producer connected', () => producer.isConnected || undefined);
    let taken = 0;
    for (let i = 0; i < 1010; i++) {
      const r = i % 101 === 0 ? record(i, 20_000) : record(i);
      if (producer.publish(r.callid, r.value)) taken++;
    }
    expect(taken).toBe(1000);
    await producer.flush(30_000);
    expect(producer.queued).toBe(0);
    expect(await metric(registry, 'sipcap_kafka_dropped_total', { reason: 'too_large' })).toBe(10);
    expect(await metric(registry, 'sipcap_kafka_produce_requests_total', { result: 'refused' })).toBe(0);
    expect(await metric(registry, 'sipcap_kafka_published_total', {})).toBe(1000);
  });

  it('stop() returns within its flush time and a bound while the broker refuses every request (its topic deleted: UNKNOWN_TOPIC_OR_PARTITION), dropping what remains (counted)', async () => {
    const topic = await topicWith({});
    const registry = new Registry();
    const producer = new RecordProducer(testKafka(), {
      topic,
      batchMax: 500,
      lingerMs: 5,
      queueMax: 100_000,
      compression: 'none',
      log: quietLog,
      registry,
    });
    producer.start();
    await waitFor('producer connected', () => producer.isConnected || undefined);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    for (let i = 0; i < 300; i++) {
      const r = record(i);
      producer.publish(r.callid, r.value);
    }
    // Let the first request reach the broker (refused, retried inside kafkajs).
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await producer.stop(1000);
    const took = Date.now() - t0;
    // 1 s of flush, then at most 3 s for the disconnect and the request in flight (kafkajs retries it forever).
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(6000);
    expect(await metric(registry, 'sipcap_kafka_dropped_total', { reason: 'stopping' })).toBe(300);
    expect(await metric(registry, 'sipcap_kafka_published_total', {})).toBe(0);
  });

  it('dead letters: a 2 MiB letter goes cut (sipcap-truncated), and on a dead-letter topic with max.message.bytes=10000 a 50 KB letter is cut until taken; publish never hangs', async () => {
    const dlq = await topicWith({}, 1);
    const kafka = testKafka();
    const letters = new DeadLetterPublisher(kafka, { topic: dlq, sourceTopic: 'src' });
    await letters.connect();
    cleanup.push(() => letters.disconnect());
    const letter = (i: number, size: number) => ({
      partition: 0,
      offset: BigInt(i),
      index: 0,
      key: Buffer.from(`k${i}`),
      value: Buffer.alloc(size, 0x61),
      error: 'refused',
    });
    await letters.publish([letter(0, 100), letter(1, 2 * 1024 * 1024), letter(2, 100)]);

    const small = await topicWith({ 'max.message.bytes': '10000' }, 1);
    const lettersSmall = new DeadLetterPublisher(kafka, { topic: small, sourceTopic: 'src' });
    await lettersSmall.connect();
    cleanup.push(() => lettersSmall.disconnect());
    await lettersSmall.publish([letter(10, 100), letter(11, 50_000), letter(12, 100)]);

    for (const [topic, offsets, cut, whole] of [
      [dlq, ['0', '1', '2'], '1', 2 * 1024 * 1024],
      [small, ['10', '11', '12'], '11', 50_000],
    ] as const) {
      const raw = await readRaw(topic);
      cleanup.push(() => raw.stop());
      await waitFor('three letters', () => (raw.messages.length >= 3 ? true : undefined));
      expect(raw.messages.map((m) => m.headers!['sipcap-source-offset']!.toString())).toEqual(offsets);
      const m = raw.messages.find((x) => x.headers!['sipcap-source-offset']!.toString() === cut)!;
      expect(m.headers![TRUNCATED_HEADER]!.toString()).toBe(String(whole));
      expect(m.value!.length).toBeGreaterThan(0);
      expect(m.value!.length).toBeLessThan(topic === small ? 10_000 : 1024 * 1024);
      for (const other of raw.messages.filter((x) => x !== m)) expect(other.headers![TRUNCATED_HEADER]).toBeUndefined();
    }
  });
});
