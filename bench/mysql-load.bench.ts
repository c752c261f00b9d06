// MySQL/MariaDB bulk load: the store's two ways of sending rows, alternating in one run into one table
// with sip_capture's columns and indexes: multi-row INSERT (escaped text, msg as hex) and LOAD DATA LOCAL
// INFILE (tab-separated rows streamed from memory), each batch of 5,000 rows in a transaction.
//   npx esbuild bench/mysql-load.bench.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/mysql-load.js --log-level=warning && node dist/bench/mysql-load.js [rows per round]
// Needs MariaDB on 127.0.0.1:3306 (root, no password); database sipcap_bench_load is dropped at the end.
import mysql from 'mysql2/promise';
import { buildRecord, type CaptureRecord } from '@sipcap/record';
import { parseSip } from '@sipcap/sip';
import { CaptureDateText } from '../libs/store/src/capture-date';
import { mysqlCreateTable } from '../libs/store/src/ddl';
import { inMemoryInfile, mysqlLoadRows, mysqlLoadStatement } from '../libs/store/src/mysql-load-rows';
import { MYSQL_SESSION_SETUP } from '../libs/store/src/mysql-store';
import { mysqlInsertStatements } from '../libs/store/src/mysql-write-rows';

const N = Number(process.argv[2] ?? 20_000);
const BATCH = 5_000;
const sdp = 'v=0\r\no=x 0 0 IN IP4 198.51.100.10\r\ns=-\r\nc=IN IP4 198.51.100.10\r\nt=0 0\r\nm=audio 8000 RTP/AVP 0 8 101\r\na=sendrecv\r\n';
const records: CaptureRecord[] = [];
for (let i = 0; i < N; i++) {
  const callid = `load-${i}-${Math.random().toString(36).slice(2)}@198.51.100.10`;
  const msg = Buffer.from(
    `INVITE sip:+15551234567@voip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-${i}\r\n` +
      `From: "Alice" <sip:alice@voip.example.com>;tag=${i}\r\nTo: <sip:+15551234567@voip.example.com>\r\nCall-ID: ${callid}\r\nCSeq: 1 INVITE\r\n` +
      `Contact: <sip:alice@198.51.100.10:5060>\r\nUser-Agent: Zoiper\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
  const s = parseSip(msg);
  if (!s.ok) throw new Error(s.message);
  records.push(buildRecord({ sip: s.sip, srcIp: '198.51.100.10', srcPort: 5060, dstIp: '203.0.113.5', dstPort: 5060, family: 2, proto: 1, microTs: BigInt(Date.now()) * 1000n, msg }, { captureNode: 'homer01', callidAlegHeaders: [], customHeaders: [] }));
}

// Unawaited on purpose: a failure is an unhandled rejection, which ends the run with its stack.
void (async () => {
  const admin = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await admin.query('DROP DATABASE IF EXISTS sipcap_bench_load');
  await admin.query('CREATE DATABASE sipcap_bench_load');
  const c = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306/sipcap_bench_load', charset: 'UTF8MB4_UNICODE_CI' });
  try {
    await c.query(MYSQL_SESSION_SETUP);
    for (const s of mysqlCreateTable('sip_capture')) await c.query(s);
    const dates = new CaptureDateText();
    const rates: Record<'insert' | 'load', number[]> = { insert: [], load: [] };
    for (let round = 0; round < 6; round++) {
      const method = round % 2 === 0 ? 'insert' : 'load';
      const t0 = performance.now();
      for (let at = 0; at < N; at += BATCH) {
        const batch = records.slice(at, at + BATCH);
        await c.query('START TRANSACTION');
        if (method === 'insert') for (const sql of mysqlInsertStatements('sip_capture', batch, dates, 8 * 1024 * 1024, false)) await c.query(sql);
        else await c.query({ sql: mysqlLoadStatement('sip_capture'), ...inMemoryInfile(mysqlLoadRows(batch, dates)) });
        await c.query('COMMIT');
      }
      rates[method].push(N / ((performance.now() - t0) / 1000));
    }
    const [[count]] = await c.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM sip_capture');
    const fmt = (list: number[]) => list.map((r) => Math.round(r).toLocaleString('en')).join(' / ');
    console.log(`MariaDB, ${N.toLocaleString('en')} rows per round, batches of ${BATCH}, sip_capture with its 8 indexes (${Number(count.n).toLocaleString('en')} rows at the end)`);
    console.log(`  multi-row INSERT      ${fmt(rates.insert)} rows/s`);
    console.log(`  LOAD DATA LOCAL       ${fmt(rates.load)} rows/s`);
  } finally {
    await admin.query('DROP DATABASE IF EXISTS sipcap_bench_load');
    await c.end();
    await admin.end();
  }
})();
