import { execFile, execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchConsumer, createKafka, ensureTopic, RecordProducer } from '@sipcap/bus';
import { encodeRecord, sampleRecord } from '@sipcap/record';
import { quietLog, recordsOfValue, uniqueName, waitFor } from './support/kafka';

// A broker of its own (scripts/kafka.sh with another instance and ports), so restarting it disturbs no
// other test; removed at the end.
const env = { ...process.env, KAFKA_INSTANCE: 'test-restart', KAFKA_PORT: '19292', KAFKA_CONTROLLER_PORT: '19293' };
const kafkaSh = (cmd: string) => execFileSync('bash', ['scripts/kafka.sh', cmd], { env, stdio: 'pipe' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the agents' producer while the Kafka broker restarts", () => {
  beforeAll(() => void kafkaSh('start'), 120_000);
  afterAll(() => void kafkaSh('reset'), 60_000);

  it('delivers every record exactly once: a request retried after a lost answer is resent as it was', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:19292'], clientId: 'restart-test', log: quietLog });
    const topic = uniqueName('restart');
    await ensureTopic(kafka, { topic, partitions: 6 });
    const producer = new RecordProducer(kafka, {
      topic,
      batchMax: 2000,
      lingerMs: 20,
      queueMax: 500_000,
      compression: 'none',
      log: quietLog,
    });
    producer.start();
    const sent = 60_000;
    let restart: Promise<void> | undefined;
    const t0 = Date.now();
    for (let i = 0; i < sent; i++) {
      const callid = `restart-${i}@test`;
      expect(producer.publish(callid, encodeRecord(sampleRecord({ callid, cseq: `${i} INVITE` })))).toBe(true);
      // 10,000 records/s, the broker restarted after 1.5 s: requests are in flight when it stops.
      if (i % 100 === 99) await sleep(Math.max(0, t0 + i / 10 - Date.now()));
      if (i === 15_000) restart = new Promise((resolve) => execFile('bash', ['scripts/kafka.sh', 'restart'], { env }, () => resolve()));
    }
    await restart;
    await producer.flush(120_000);
    expect(producer.queued).toBe(0);
    await producer.stop();

    const seen = new Map<string, number>();
    const consumer = new BatchConsumer(kafka, {
      topic,
      groupId: uniqueName('restart-g'),
      log: quietLog,
      partitionsConsumedConcurrently: 6,
    });
    await consumer.start(async ({ messages }) => {
      for (const m of messages) for (const r of recordsOfValue(m.value)) seen.set(r.callid, (seen.get(r.callid) ?? 0) + 1);
    });
    try {
      await waitFor('every record read back', () => (seen.size >= sent ? true : undefined), 60_000).catch(() => undefined);
      await sleep(500);
      const missing = Array.from({ length: sent }, (_, i) => `restart-${i}@test`).filter((c) => !seen.has(c));
      expect(missing.length, `missing, e.g. ${missing.slice(0, 3).join(', ')}`).toBe(0);
      expect([...seen.values()].filter((n) => n > 1)).toHaveLength(0);
    } finally {
      await consumer.stop();
    }
  }, 240_000);
});
