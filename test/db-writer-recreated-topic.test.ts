import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '@sipcap/store';
import { buildApp } from './support/agent-process';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { Feeder, startWriter, TestDb } from './support/writer-fixtures';

// A topic deleted and created again (or a new Kafka) starts its offsets over; offsets the database kept
// from the old topic must not make the writer skip the new messages as already stored.
describe('db-writer after the topic was re-created', () => {
  const db = new TestDb('postgres');
  afterAll(() => db.drop());

  it('resets stored offsets that lie beyond the end of the topic and stores every new message', async () => {
    buildApp('db-writer');
    await db.create();
    const topic = await freshTopic(2);
    const group = uniqueName('recreated');
    // What the old topic left behind: offsets far beyond the new topic's end.
    const store = await openStore(db.url);
    await store.ensureOffsetsTable();
    await store.writePositioned(
      group,
      topic,
      [0, 1].map((partition) => ({ partition, offset: 4999n, table: null, record: null })),
    );
    await store.close();

    const feeder = new Feeder(topic);
    await feeder.feed('recreated', 300);
    await feeder.stop();
    const writer = startWriter(db, topic, group, { KAFKA_PARTITIONS: '2' });
    try {
      await waitFor('300 rows', async () => ((await db.counts()).rows >= 300 ? true : undefined), 60_000, 200);
      expect(await db.counts()).toEqual({ rows: 300, callids: 300 });
      expect(writer.output()).toContain('reset to 0');
    } finally {
      await writer.stop();
    }
  });
});
