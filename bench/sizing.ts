// Disk per stored SIP message: PostgreSQL and MariaDB (sip_capture with its indexes, day partitions as
// compose runs it) and Kafka (the capture topic's log segments on disk, one replica). The figures of
// docs/operations.md, "Sizing":
//   npx esbuild bench/sizing.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/sizing.js --log-level=warning && node dist/bench/sizing.js [records]
// records: default 200000. Needs PostgreSQL on 5432, MariaDB on 3306 and the local Kafka on 127.0.0.1:9092
// (scripts/kafka.sh, whose data directory is .kafka/<KAFKA_INSTANCE>/data); the sipcap_bench_sizing_*
// databases and the topic are removed at the end.
//
// The records are bench/sip-messages.ts's realistic SIP (400-1200 bytes, INVITE with SDP, replies, BYE,
// REGISTER), built as the agents build them, stored through the store as the db-writer stores them and
// published by the RecordProducer as the agents publish them. The reference in the same run is the SIP
// message itself: its average size, against which each figure is also given as a ratio.
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createKafka, ensureTopic, RecordProducer } from '@sipcap/bus';
import { buildRecord, encodeRecord, type CaptureRecord } from '@sipcap/record';
import { SipParser } from '@sipcap/sip';
import { ensureDatabase, openStore } from '@sipcap/store';
import { recordOptions, sipMessage } from './sip-messages';

const parser = new SipParser();

const RECORDS = Number(process.argv[2] ?? 200_000);
const BATCH = 5000;
const TABLE = 'sip_capture';
const KAFKA_DATA = join('.kafka', process.env.KAFKA_INSTANCE ?? 'default', 'data');
const log = pino({ level: 'warn' });

interface Size {
  data: number;
  indexes: number;
}

/** Realistic records stamped within the last hour (one day partition), and the SIP bytes they carry. */
function makeRecords(): { records: CaptureRecord[]; sipBytes: number } {
  const records: CaptureRecord[] = [];
  let sipBytes = 0;
  const now = BigInt(Date.now()) * 1000n;
  for (let i = 0; i < RECORDS; i++) {
    const msg = sipMessage(i);
    sipBytes += msg.length;
    const parsed = parser.parse(msg);
    if (!parsed.ok) throw new Error(`generated SIP did not parse: ${parsed.message}`);
    const microTs = now - BigInt(Math.floor(((RECORDS - i) / RECORDS) * 3_600_000_000));
    records.push(
      buildRecord(
        { sip: parsed.sip, srcIp: '192.0.2.10', srcPort: 5060, dstIp: '10.0.0.5', dstPort: 5060, family: 2, proto: 1, microTs, msg },
        recordOptions,
      ),
    );
  }
  return { records, sipBytes };
}

/** Stores every record through the store (COPY on PostgreSQL, the writer's INSERT path on MariaDB). */
async function store(url: string, records: CaptureRecord[]): Promise<void> {
  await ensureDatabase(url);
  const s = await openStore(url, { partition: 'day', log: () => undefined });
  try {
    await s.ensureTable(TABLE);
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH).map((record, j) => ({ partition: 0, offset: BigInt(i + j), table: TABLE, record }));
      await s.writePositioned('sizing', 'sizing', batch);
    }
  } finally {
    await s.close();
  }
}

/** Heap (with TOAST) and indexes of sip_capture's partitions, after VACUUM so the visibility map is written. */
async function postgresSize(url: string): Promise<Size> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`VACUUM ANALYZE ${TABLE}`);
    const r = await c.query<{ data: string; indexes: string }>(
      `SELECT sum(pg_table_size(relid))::text AS data, sum(pg_indexes_size(relid))::text AS indexes FROM pg_partition_tree('${TABLE}') WHERE isleaf`,
    );
    return { data: Number(r.rows[0].data), indexes: Number(r.rows[0].indexes) };
  } finally {
    await c.end();
  }
}

/** InnoDB's data (clustered index) and secondary indexes, as information_schema reports them after ANALYZE. */
async function mysqlSize(url: string): Promise<Size> {
  const c = await mysql.createConnection({ uri: url });
  try {
    await c.query(`ANALYZE TABLE ${TABLE}`);
    const [rows] = await c.query(
      'SELECT data_length AS data, index_length AS indexes FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = ?',
      [TABLE],
    );
    const [row] = rows as { data: number; indexes: number }[];
    return { data: Number(row.data), indexes: Number(row.indexes) };
  } finally {
    await c.end();
  }
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  } else {
    const c = await mysql.createConnection({ uri: url.replace(/\/[^/]*$/, '/') });
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.end();
  }
}

/** Publishes every record as the agents do (one partition, the default compression) and reads the log segments' size. */
async function kafkaBytes(records: CaptureRecord[]): Promise<number> {
  const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'sipcap-bench-sizing', log });
  const topic = `sipcap-bench-sizing-${randomBytes(4).toString('hex')}`;
  await ensureTopic(kafka, { topic, partitions: 1, log });
  try {
    const producer = new RecordProducer(kafka, { topic, batchMax: 2000, lingerMs: 20, queueMax: 1_000_000, compression: 'none', log });
    producer.start();
    for (let i = 0; i < records.length; i++) {
      if (!producer.publish(records[i].callid, encodeRecord(records[i]))) throw new Error('producer queue full');
      if (i % 20_000 === 19_999) await producer.flush(60_000);
    }
    await producer.flush(120_000);
    await producer.stop();
    const dir = join(KAFKA_DATA, `${topic}-0`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function line(what: string, bytes: number, sipAverage: number): string {
  const per = bytes / RECORDS;
  return `${what.padEnd(44)} ${per.toFixed(0).padStart(6)} B/message  ${(per / sipAverage).toFixed(2)}x SIP  ${((per * 1e6) / 2 ** 30).toFixed(2).padStart(6)} GiB per million`;
}

async function main(): Promise<void> {
  const { records, sipBytes } = makeRecords();
  const sip = sipBytes / RECORDS;
  const suffix = randomBytes(4).toString('hex');
  const urls = {
    postgres: `postgres://postgres@127.0.0.1:5432/sipcap_bench_sizing_${suffix}`,
    mariadb: `mysql://root@127.0.0.1:3306/sipcap_bench_sizing_${suffix}`,
  };
  console.log(`${RECORDS} SIP messages, ${sip.toFixed(0)} bytes each on average (the reference)`);
  try {
    for (const [name, url] of Object.entries(urls)) {
      await store(url, records);
      const size = name === 'postgres' ? await postgresSize(url) : await mysqlSize(url);
      console.log(line(`${name}: ${TABLE} rows`, size.data, sip));
      console.log(line(`${name}: ${TABLE} indexes`, size.indexes, sip));
      console.log(line(`${name}: total`, size.data + size.indexes, sip));
    }
    console.log(line('kafka: topic log, one replica (x replicas)', await kafkaBytes(records), sip));
  } finally {
    for (const url of Object.values(urls))
      await dropDatabase(url).catch((e: unknown) => console.error(`could not drop ${url}: ${String(e)}`));
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
