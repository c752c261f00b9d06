// A call view reads a bounded number of bytes from the database (WEB_EXPORT_MAX_BYTES), on both
// dialects: the database sums the message sizes in time order and returns the messages up to the
// budget, and the result says it was cut.
import { afterAll, describe, expect, it } from 'vitest';
import { sampleRecord } from '@sipcap/record';
import { openSearchDb, Searcher } from '@sipcap/search';
import { ensureSchema, openStore } from '@sipcap/store';
import { TestDb } from './support/writer-fixtures';
import { storeRows } from './store-fixtures';

const databases: TestDb[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop().catch(() => undefined);
});

describe.each(['postgres', 'mysql'] as const)('call view byte budget on %s', (dialect) => {
  it('returns the messages within the budget, the one crossing it included, and says the call was cut', async () => {
    const db = await new TestDb(dialect).create();
    databases.push(db);
    const store = await openStore(db.url);
    await ensureSchema(store, 'sip_capture');
    const callid = `bytes-${Date.now()}@example.com`;
    const t0 = BigInt(Date.now()) * 1000n;
    const body = 'x'.repeat(1000);
    const records = Array.from({ length: 10 }, (_, i) =>
      sampleRecord({
        callid,
        cseq: `${i} OPTIONS`,
        micro_ts: t0 + BigInt(i) * 1000n,
        msg: Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nCall-ID: ${callid}\r\nCSeq: ${i} OPTIONS\r\n\r\n${body}`),
      }),
    );
    const size = records[0].msg.length;
    await storeRows(
      store,
      records.map((record) => ({ table: 'sip_capture', record })),
    );
    await store.close();

    const search = openSearchDb(db.url);
    try {
      const cut = await new Searcher({ db: search, tableName: 'sip_capture', maxCallBytes: size * 3 + 10 }).call(callid);
      expect(cut?.messages.map((m) => m.cseq)).toEqual(['0 OPTIONS', '1 OPTIONS', '2 OPTIONS', '3 OPTIONS']);
      expect(cut?.truncated).toBe(true);
      const whole = await new Searcher({ db: search, tableName: 'sip_capture' }).call(callid);
      expect(whole?.messages).toHaveLength(10);
      expect(whole?.truncated).toBe(false);
      const fewer = await new Searcher({ db: search, tableName: 'sip_capture', maxMessages: 5 }).call(callid);
      expect(fewer?.messages).toHaveLength(5);
      expect(fewer?.truncated).toBe(true);
    } finally {
      await search.close();
    }
  });
});
