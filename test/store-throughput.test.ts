import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { ensureDatabase, openStore, type Store, type StoreOptions } from '@sipcap/store';
import { fullRecord, storeRows, testDatabaseName } from './store-fixtures';

// Measures rows/s of each way a row can travel, on the shared servers, to pick the default (COPY vs
// multi-row INSERT for PostgreSQL) and to report MariaDB's figure. Short: 10,000 rows per case.
const pgDb = testDatabaseName();
const myDb = testDatabaseName();
const PG_URL = `postgres://postgres@127.0.0.1:5432/${pgDb}`;
const MY_URL = `mysql://root@127.0.0.1:3306/${myDb}`;
const ROWS_PER_CASE = 10_000;
const figures: string[] = [];

/** A typical INVITE with SDP (about 900 bytes), a distinct Call-ID per row. */
function records(n: number, seed: number) {
  const sdp =
    'v=0\r\no=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n' +
    'm=audio 49172 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n';
  return Array.from({ length: n }, (_, i) => {
    const callid = `${seed}-${i}-a84b4c76e66710@pc33.atlanta.example.com`;
    const msg = Buffer.from(
      'INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n' +
        'Max-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\nFrom: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n' +
        `Call-ID: ${callid}\r\nCSeq: 314159 INVITE\r\nContact: <sip:alice@pc33.atlanta.example.com>\r\n` +
        `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
    );
    return {
      table: 'sip_capture',
      record: fullRecord({ callid, correlation_id: callid, micro_ts: BigInt(Date.now()) * 1000n + BigInt(i), msg }),
    };
  });
}

async function measure(label: string, url: string, opts: StoreOptions, batchSize: number): Promise<number> {
  const store: Store = await openStore(url, { ...opts, poolSize: 1 });
  try {
    await store.ensureTable('sip_capture');
    await storeRows(store, records(200, -1)); // warm up the connection and statements
    const batches = Math.ceil(ROWS_PER_CASE / batchSize);
    const prepared = Array.from({ length: batches }, (_, b) => records(batchSize, b));
    const start = process.hrtime.bigint();
    for (const rows of prepared) await storeRows(store, rows);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = Math.round((batches * batchSize) / seconds);
    figures.push(`${label.padEnd(28)} batch ${String(batchSize).padStart(5)}: ${String(rate).padStart(7)} rows/s`);
    return batches * batchSize + 200;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  await ensureDatabase(PG_URL);
  await ensureDatabase(MY_URL);
});

afterAll(async () => {
  console.log(`\nstore throughput (2 shared cores, ${ROWS_PER_CASE} rows per case):\n  ${figures.join('\n  ')}`);
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${pgDb}" WITH (FORCE)`);
  await admin.end();
  const my = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await my.query(`DROP DATABASE IF EXISTS \`${myDb}\``);
  await my.end();
});

describe('store throughput', () => {
  let pgWritten = 0;
  it.each([
    ['PostgreSQL COPY', 'copy', 1000],
    ['PostgreSQL multi-row INSERT', 'insert', 1000],
    ['PostgreSQL COPY', 'copy', 5000],
    ['PostgreSQL multi-row INSERT', 'insert', 5000],
  ] as const)('%s (%s), batches of %s', async (label, pgMethod, size) => {
    pgWritten += await measure(label, PG_URL, { pgMethod }, size);
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const n = (await c.query('SELECT count(*)::int AS n FROM sip_capture')).rows[0].n;
    await c.end();
    expect(n).toBe(pgWritten);
  });

  let myWritten = 0;
  it.each([1000, 5000])('MariaDB multi-row INSERT, batches of %s', async (size) => {
    myWritten += await measure('MariaDB multi-row INSERT', MY_URL, {}, size);
    const c = await mysql.createConnection({ uri: MY_URL });
    const [r] = await c.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM sip_capture');
    await c.end();
    expect(Number(r[0].n)).toBe(myWritten);
  });
});
