import { afterAll, describe, expect, it } from 'vitest';
import { BatchConsumer, RecordProducer, consumerLag } from '@sipcap/bus';
import { decodeRecord, encodeRecord, sampleRecord } from '@sipcap/record';
import { freshTopic, quietLog, testKafka, uniqueName, waitFor } from './support/kafka';

describe('Kafka (real broker) through the bus library', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup) await c();
  });

  it('produces 5,000 records and reads every one back in a consumer group, in order per Call-ID', async () => {
    const topic = await freshTopic(6);
    const kafka = testKafka();
    const producer = new RecordProducer(kafka, { topic, batchMax: 500, lingerMs: 5, queueMax: 100_000, compression: 'gzip', log: quietLog });
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
    await consumer.start(async ({ messages }) => {
      for (const m of messages) {
        const d = decodeRecord(m.value!);
        if (!d.ok) throw new Error(d.message);
        expect(m.key!.toString()).toBe(d.record.callid);
        const list = seen.get(d.record.callid) ?? [];
        list.push(Number(d.record.micro_ts));
        seen.set(d.record.callid, list);
        count++;
      }
    });
    await waitFor('all records consumed', () => (count >= sent ? true : undefined), 60_000);
    expect(count).toBe(sent);
    expect(seen.size).toBe(calls);
    for (const list of seen.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    // Offsets were committed after each handled batch: the group has no lag left.
    const lag = await waitFor('lag to reach 0', async () => ((await consumerLag(kafka, groupId, topic)).total === 0n ? true : undefined), 20_000);
    expect(lag).toBe(true);
  });

  it('fails when the broker is absent', async () => {
    const { createKafka } = await import('@sipcap/bus');
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'absent', log: quietLog });
    const admin = kafka.admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow();
  });
});
