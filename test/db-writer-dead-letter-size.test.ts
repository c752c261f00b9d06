// Issue 13: an oversized dead letter must not stall a writer's partition. The dead-letter topic takes at
// most 10000 bytes (max.message.bytes); records of ~50 KB that the database refuses become dead letters
// the broker would refuse whole: the writer sends them cut (header sipcap-truncated) and goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord, sampleRecord } from '@sipcap/record';
import { buildApp, type AgentProcess } from './support/agent-process';
import { sleep } from './support/apps';
import { freshTopic, testKafka, uniqueName, waitFor } from './support/kafka';
import { Feeder, readRaw, startWriter, TestDb } from './support/writer-fixtures';

describe('db-writer: oversized dead letters', () => {
  let db: TestDb | undefined;
  let w: AgentProcess | undefined;
  let feeder: Feeder | undefined;
  beforeAll(() => buildApp('db-writer'), 120_000);
  afterAll(async () => {
    await w?.stop();
    await feeder?.stop().catch(() => undefined);
    await db?.drop().catch(() => undefined);
  });

  it('records the database refuses, each above the dead-letter topic limit, are dead-lettered cut; the 1,000 others are stored', async () => {
    db = await new TestDb('postgres').create();
    const topic = await freshTopic(3, 'writer-bigdlq');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: `${topic}-dlq`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: '10000' }] },
      ],
    });
    await admin.disconnect();

    w = startWriter(db, topic, uniqueName('g-bigdlq'));
    await w.waitForLog('db-writer consuming', 60_000);
    await db.query(`ALTER TABLE sip_capture ADD CONSTRAINT no_poison CHECK (callid NOT LIKE 'poison%')`);
    feeder = new Feeder(topic);
    const run = uniqueName('big');
    const poisons = [0, 1, 2].map((i) =>
      sampleRecord({ callid: `poison-${i}`, micro_ts: BigInt(Date.now()) * 1000n, msg: Buffer.alloc(50_000, 0x78) }),
    );
    for (let i = 0; i < 1000; i++) {
      if (i % 300 === 100) feeder.publishRecord(poisons[(i - 100) / 300]);
      feeder.publishRecord(sampleRecord({ callid: `${run}-${i}`, correlation_id: `${run}-${i}`, micro_ts: BigInt(Date.now()) * 1000n }));
    }
    await feeder.flush();
    await waitFor('1,000 rows', async () => ((await db!.counts()).rows >= 1000 ? true : undefined), 60_000, 250);
    await sleep(500);
    expect(await db.counts()).toEqual({ rows: 1000, callids: 1000 });

    const dlq = await readRaw(`${topic}-dlq`);
    try {
      await waitFor('three dead letters', () => (dlq.messages.length >= 3 ? true : undefined), 30_000);
      expect(dlq.messages).toHaveLength(3);
      for (const m of dlq.messages) {
        const p = poisons.find((x) => x.callid === m.key!.toString())!;
        expect(m.headers!['sipcap-truncated']!.toString()).toBe(String(encodeRecord(p).length));
        expect(m.value!.length).toBeLessThan(10_000);
        // The letter keeps the first bytes of the record.
        expect(encodeRecord(p).subarray(0, m.value!.length).equals(m.value!)).toBe(true);
      }
    } finally {
      await dlq.stop();
    }
    expect(await w.metric('sipcap_dead_letters_truncated_total')).toBe(3);
    expect(await w.metric('sipcap_db_dead_lettered_total', '{cause="rejected"}')).toBe(3);
    const exit = await w.stop();
    expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
  }, 180_000);
});
