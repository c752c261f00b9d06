// MySQL/MariaDB bulk load: where a MariaDB writer's time goes on the server. Rows encoded by the store
// (multi-row INSERT: escaped text, msg as hex; LOAD DATA LOCAL INFILE: separated rows streamed from
// memory; bulk execute: one prepared INSERT for all rows, binary values, the writer's way on MariaDB),
// batches of 5,000 rows in a transaction each, into tables with sip_capture's columns:
//   insert / load / bulk   the store's table (8 indexes, utf8mb4_general_ci), one connection
//   load x2 / bulk x2      the same over two connections at once (the writer's two lanes), each its own table
//   load unicode_ci    the same table with utf8mb4_unicode_ci (the store's collation until 2026-12-04)
//   load no indexes    the table without its 8 secondary indexes (comparison only)
// and the server's CPU seconds per 10,000 rows (mariadbd, from /proc) beside each rate.
//   npx esbuild bench/mysql-load.bench.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/mysql-load.js --log-level=warning && node dist/bench/mysql-load.js [rows per round] [rounds]
// Needs MariaDB on 127.0.0.1:3306 (root, no password); database sipcap_bench_load is dropped at the end.
import { readdirSync, readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { buildRecord, type CaptureRecord } from '@sipcap/record';
import { SipParser } from '@sipcap/sip';
import { CaptureDateText } from '../libs/store/src/capture-date';
import { mysqlCreateTable } from '../libs/store/src/ddl';
import { bulkExecute, installBulkHandshake, prepareOn } from '../libs/store/src/mariadb-bulk-command';
import { mariadbBulkCommands, mariadbBulkStatement } from '../libs/store/src/mariadb-bulk-rows';
import { inMemoryInfile, mysqlLoadRows, mysqlLoadStatement } from '../libs/store/src/mysql-load-rows';
import { MYSQL_SESSION_SETUP } from '../libs/store/src/mysql-store';
import { MYSQL_ROW_COLUMNS, mysqlInsertStatements } from '../libs/store/src/mysql-write-rows';
import { columnValues } from '../libs/store/src/columns';
import { MYSQL_COLLATION, quoteMysql } from '@sipcap/schema';

const parser = new SipParser();

const N = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const BATCH = 5_000;
const URL = 'mysql://root@127.0.0.1:3306/sipcap_bench_load';
const sdp =
  'v=0\r\no=x 0 0 IN IP4 198.51.100.10\r\ns=-\r\nc=IN IP4 198.51.100.10\r\nt=0 0\r\nm=audio 8000 RTP/AVP 0 8 101\r\na=sendrecv\r\n';
const records: CaptureRecord[] = [];
for (let i = 0; i < N; i++) {
  const callid = `load-${i}-${Math.random().toString(36).slice(2)}@198.51.100.10`;
  const msg = Buffer.from(
    `INVITE sip:+1555${String(i % 10_000_000).padStart(7, '0')}@voip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK-${i}\r\n` +
      `From: "Alice" <sip:u${i % 9973}@voip.example.com>;tag=${i}\r\nTo: <sip:+1555${String(i % 10_000_000).padStart(7, '0')}@voip.example.com>\r\nCall-ID: ${callid}\r\nCSeq: 1 INVITE\r\n` +
      `Contact: <sip:alice@198.51.100.10:5060>\r\nUser-Agent: Zoiper\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
  const s = parser.parse(msg);
  if (!s.ok) throw new Error(s.message);
  records.push(
    buildRecord(
      {
        sip: s.sip,
        srcIp: '198.51.100.10',
        srcPort: 5060,
        dstIp: '203.0.113.5',
        dstPort: 5060,
        family: 2,
        proto: 1,
        microTs: BigInt(Date.now()) * 1000n,
        msg,
      },
      { captureNode: 'homer01', callidAlegHeaders: [], customHeaders: [] },
    ),
  );
}

/** CPU seconds (user + system) of the MariaDB server, from /proc. */
function serverCpu(): number {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!['mariadbd', 'mysqld'].includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) continue;
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    } catch {
      // gone meanwhile
    }
  }
  return 0;
}

const dates = new CaptureDateText();
type Method = 'insert' | 'load' | 'prepared' | 'bulk';
/** Rows per prepared multi-row INSERT (45 placeholders a row, at most 65,535 a statement). */
const PREPARED_ROWS = 1000;

/** Writes `batches` over one connection, a transaction each. */
async function write(c: mysql.Connection, table: string, batches: CaptureRecord[][], method: Method): Promise<void> {
  const statement = method === 'bulk' ? await prepareOn(c, mariadbBulkStatement(table)) : 0;
  for (const batch of batches) {
    await c.query('START TRANSACTION');
    if (method === 'bulk') {
      const r = await bulkExecute(c, mariadbBulkCommands(statement, batch, dates, 1 << 20));
      if (r.affectedRows !== batch.length || r.warnings > 0) throw new Error(`bulk: ${r.affectedRows} rows, ${r.warnings} warnings`);
    } else if (method === 'insert')
      for (const sql of mysqlInsertStatements(table, batch, dates, 8 * 1024 * 1024, false)) await c.query(sql);
    else if (method === 'load') await c.query({ sql: mysqlLoadStatement(table), ...inMemoryInfile(mysqlLoadRows(batch, dates)) });
    else {
      // The binary protocol: values travel as they are, the server parses neither text nor hex.
      for (let at = 0; at < batch.length; at += PREPARED_ROWS) {
        const rows = batch.slice(at, at + PREPARED_ROWS);
        const tuple = `(${MYSQL_ROW_COLUMNS.map(() => '?').join(', ')})`;
        const sql = `INSERT INTO ${quoteMysql(table)} (${MYSQL_ROW_COLUMNS.map(quoteMysql).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
        await c.execute(
          sql,
          rows.flatMap((r) => [
            dates.seconds(r.micro_ts),
            ...columnValues(r).map((v) => (typeof v === 'bigint' ? String(v) : v) as string | number | Buffer),
          ]),
        );
      }
    }
    await c.query('COMMIT');
  }
}

// Unawaited on purpose: a failure is an unhandled rejection, which ends the run with its stack.
void (async () => {
  const noBulk = installBulkHandshake();
  if (noBulk) throw new Error(`bulk execute unavailable: ${noBulk}`);
  const admin = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
  await admin.query('DROP DATABASE IF EXISTS sipcap_bench_load');
  await admin.query('CREATE DATABASE sipcap_bench_load');
  const conns = await Promise.all([0, 1].map(() => mysql.createConnection({ uri: URL, charset: MYSQL_COLLATION })));
  try {
    for (const c of conns) await c.query(MYSQL_SESSION_SETUP);
    const [[flush]] = await conns[0].query<mysql.RowDataPacket[]>(
      'SELECT @@innodb_flush_log_at_trx_commit AS f, @@innodb_buffer_pool_size AS b, VERSION() AS v',
    );
    const own = (name: string, table: string, method: Method, conns: number, ddl = mysqlCreateTable(table)[0]) => ({
      name,
      table,
      method,
      conns,
      ddl,
    });
    const variants = [
      // Each its own table, all growing alike round after round (an index costs more as it grows).
      own('multi-row INSERT', 'insert', 'insert', 1),
      own('LOAD DATA LOCAL', 'load', 'load', 1),
      own('prepared INSERT', 'prepared', 'prepared', 1),
      own('LOAD DATA LOCAL x2', 'load_x2', 'load', 2),
      own('bulk execute', 'bulk', 'bulk', 1),
      own('bulk execute x2', 'bulk_x2', 'bulk', 2),
      own('LOAD, unicode_ci', 'unicode_ci', 'load', 1, mysqlCreateTable('unicode_ci', { collation: 'utf8mb4_unicode_ci' })[0]),
      own('LOAD, no indexes', 'no_index', 'load', 1, mysqlCreateTable('no_index')[0].replace(/,\n\s*KEY [^\n]*?(?=,?\n)/g, '')),
    ];
    for (const v of variants) await conns[0].query(v.ddl);
    const results = new Map<string, string[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of variants) {
        const batches: CaptureRecord[][] = [];
        for (let at = 0; at < N; at += BATCH) batches.push(records.slice(at, at + BATCH));
        const cpu0 = serverCpu();
        const t0 = performance.now();
        await Promise.all(
          conns.slice(0, v.conns).map((c, i) =>
            write(
              c,
              v.table,
              batches.filter((_, b) => b % v.conns === i),
              v.method,
            ),
          ),
        );
        const s = (performance.now() - t0) / 1000;
        const cpu = serverCpu() - cpu0;
        const line = `${Math.round(N / s).toLocaleString('en')} rows/s (server ${((cpu * 10_000) / N).toFixed(2)} CPU s per 10k rows)`;
        results.set(v.name, [...(results.get(v.name) ?? []), line]);
      }
    }
    console.log(
      `MariaDB ${flush.v}, innodb_flush_log_at_trx_commit=${flush.f}, buffer pool ${Number(flush.b) >> 20} MiB; ${N.toLocaleString('en')} rows per round, batches of ${BATCH}`,
    );
    for (const [name, lines] of results) console.log(`  ${name.padEnd(20)} ${lines.join(' / ')}`);
  } finally {
    await admin.query('DROP DATABASE IF EXISTS sipcap_bench_load');
    for (const c of conns) await c.end();
    await admin.end();
  }
})();
