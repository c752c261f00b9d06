import { afterAll, describe, expect, it } from 'vitest';
import { BatchConsumer, RecordProducer, consumerLag, keyHash } from '@sipcap/bus';
import { encodeRecord, sampleRecord } from '@sipcap/record';
import { freshTopic, quietLog, recordsOfValue, testKafka, uniqueName, waitFor } from './support/kafka';

describe('Kafka (real broker) through the bus library', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it("produces 5,000 records in record batches and reads every one back in a consumer group, in order per Call-ID, on its Call-ID's partition", async () => {
    const topic = await freshTopic(6);
    const kafka = testKafka();
    const producer = new RecordProducer(kafka, {
      topic,
      batchMax: 500,
      lingerMs: 5,
      queueMax: 100_000,
      compression: 'gzip',
      log: quietLog,
    });
    producer.start();
    cleanup.push(() => producer.stop());
    const calls = 50;
    const sent = 5000;
    for (let i = 0; i < sent; i++) {
      const callid = `call-${i % calls}@test`;
      producer.publish(callid, encodeRecord(sampleRecord({ callid, cseq: `${i} INVITE`, micro_ts: BigInt(i) })));
    }
    await producer.flush(30_000);
    expect(producer.queued).toBe(0);

    const groupId = uniqueName('group');
    const consumer = new BatchConsumer(kafka, { topic, groupId, log: quietLog, partitionsConsumedConcurrently: 6 });
    cleanup.push(() => consumer.stop());
    const seen = new Map<string, number[]>();
    let count = 0;
    let kafkaMessages = 0;
    await consumer.start(async ({ partition, messages }) => {
      for (const m of messages) {
        kafkaMessages++;
        for (const r of recordsOfValue(m.value)) {
          // Where Kafka's default partitioner puts the Call-ID (the Java client and kafkajs agree).
          expect(partition, r.callid).toBe((keyHash(r.callid) & 0x7fffffff) % 6);
          const list = seen.get(r.callid) ?? [];
          list.push(Number(r.micro_ts));
          seen.set(r.callid, list);
          count++;
        }
      }
    });
    await waitFor('all records consumed', () => (count >= sent ? true : undefined), 60_000);
    expect(count).toBe(sent);
    // Records of a partition travel packed: at most one message per partition per request of 500.
    expect(kafkaMessages).toBeLessThanOrEqual((sent / 500) * 6);
    expect(seen.size).toBe(calls);
    for (const list of seen.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    // Offsets were committed after each handled batch: the group has no lag left.
    const lag = await waitFor(
      'lag to reach 0',
      async () => ((await consumerLag(kafka, groupId, topic)).total === 0n ? true : undefined),
      20_000,
    );
    expect(lag).toBe(true);
  });

  it('fails when the broker is absent', async () => {
    const { createKafka } = await import('@sipcap/bus');
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'absent', log: quietLog });
    const admin = kafka.admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow();
  });
});
