// db-writer throughput: a topic pre-filled with capture records, drained into PostgreSQL and MariaDB by
// one writer, then by two (a fresh database and consumer group each time).
//   node scripts/build-app.mjs db-writer && \
//   npx esbuild bench/writer.ts --bundle --platform=node --packages=external --tsconfig=tsconfig.base.json \
//     --outfile=dist/bench/writer.js --log-level=warning && node dist/bench/writer.js [records] [scenarios]
// records: default 500000 (or BENCH_RECORDS); 50000 for a quick run. scenarios: comma-separated of
// pg1, pg2, my1, my2 (default all), and `phases`: where one PostgreSQL writer's time goes, measured
// apart (Kafka fetch + record decode in one consumer; COPY text and binary encoding on one core; the
// server's COPY of pre-encoded batches, in both formats, into sip_capture with its indexes, and without them to compare). Writer settings come from the environment (DB_BATCH_SIZE, DB_FLUSH_MS,
// KAFKA_PARTITIONS ...; the app's defaults otherwise). Needs Kafka on 127.0.0.1:9092, PostgreSQL on 5432
// and MariaDB on 3306 (the shared servers; databases sipcap_bench_<random> are dropped at the end, and
// so is the topic). BENCH_CPU_PROF=<dir> writes a CPU profile of each writer (node --cpu-prof) there.
// BENCH_WRITER_APP=<name> drains with dist/apps/<name>/main.js instead of the db-writer just built (e.g. the
// previous commit's bundle copied to dist/apps/db-writer-prev, to compare in the same command).
//
// The records are realistic SIP (INVITE with SDP, replies, ACK, BYE, REGISTER with digest; 400-1200 bytes,
// unique Call-IDs), parsed and built into records the way the agents do, packed and compressed
// (KAFKA_COMPRESSION) by the producer as the agents do. Rate = records / (time from writer start to the last row stored), and the steady
// rate from the first row to the last (without start-up and group join), both from the writers' metrics;
// count(*) confirms the total at the end.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { from as copyFrom } from 'pg-copy-streams';
import { BatchConsumer, createKafka, ensureTopic, RecordProducer } from '@sipcap/bus';
import { buildRecord, encodeRecord, readRecord, splitRecordValue, type CaptureRecord } from '@sipcap/record';
import { SipParser } from '@sipcap/sip';
import { quotePg } from '@sipcap/schema';
import { ensureDatabase, ensureSchema, openStore } from '@sipcap/store';
import pino from 'pino';
import { encodeCopyBinary } from '../libs/store/src/pg-copy-binary';
import { encodeCopyRows, PG_ROW_COLUMNS } from '../libs/store/src/pg-copy-rows';
import { startAgent, type AgentProcess } from '../test/support/agent-process';
import { recordOptions, sipMessage } from './sip-messages';

const parser = new SipParser();

const RECORDS = Number(process.argv[2] ?? process.env.BENCH_RECORDS ?? 500_000);
const SCENARIOS = (process.argv[3] ?? 'pg1,pg2,my1,my2').split(',');
const PARTITIONS = Number(process.env.KAFKA_PARTITIONS ?? 12);
/** How the records are compressed in Kafka, as the agents' KAFKA_COMPRESSION (the same default). */
const COMPRESSION = process.env.KAFKA_COMPRESSION === 'gzip' ? 'gzip' : 'none';
/** BENCH_MYSQL_URL: another MariaDB server (e.g. one started with innodb_autoinc_lock_mode=2, see bench/README.md). */
const SERVERS = {
  postgres: 'postgres://postgres@127.0.0.1:5432',
  mysql: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
} as const;
const WRITER_APP = process.env.BENCH_WRITER_APP ?? 'db-writer';
const log = pino({ level: 'warn' });
const kafka = createKafka({ brokers: ['127.0.0.1:9092'], clientId: 'sipcap-bench-writer', log });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fill(topic: string): Promise<{ seconds: number; bytes: number }> {
  await ensureTopic(kafka, { topic, partitions: PARTITIONS, log });
  const producer = new RecordProducer(kafka, { topic, batchMax: 2000, lingerMs: 5, queueMax: 1_000_000, compression: COMPRESSION, log });
  producer.start();
  const t0 = performance.now();
  let bytes = 0;
  const now = BigInt(Date.now()) * 1000n;
  for (let i = 0; i < RECORDS; i++) {
    const msg = sipMessage(i);
    bytes += msg.length;
    const parsed = parser.parse(msg);
    if (!parsed.ok) throw new Error(`generated SIP did not parse: ${parsed.message}\n${msg}`);
    const record = buildRecord(
      {
        sip: parsed.sip,
        srcIp: '192.0.2.10',
        srcPort: 5060,
        dstIp: '10.0.0.5',
        dstPort: 5060,
        family: 2,
        proto: 1,
        microTs: now + BigInt(i),
        msg,
      },
      recordOptions,
    );
    if (!producer.publish(record.callid, encodeRecord(record))) throw new Error('producer queue full');
    if (i % 20_000 === 19_999) await producer.flush(60_000);
  }
  await producer.flush(120_000);
  if (producer.queued > 0) throw new Error('Kafka did not take every record');
  await producer.stop();
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

// --- databases ------------------------------------------------------------------------------------------

async function countRows(url: string): Promise<number> {
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM sip_capture')).rows[0].n);
    } finally {
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: url });
  try {
    const [rows] = await c.query('SELECT count(*) AS n FROM sip_capture');
    return Number((rows as { n: number }[])[0].n);
  } finally {
    await c.end();
  }
}

async function dropDatabase(url: string, name: string): Promise<void> {
  if (url.startsWith('postgres')) {
    const c = new pg.Client({ connectionString: `${SERVERS.postgres}/postgres` });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).finally(() => c.end());
  } else {
    const c = await mysql.createConnection({ uri: `${SERVERS.mysql}/` });
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``).finally(() => c.end());
  }
}

interface ProcessUsage {
  /** CPU seconds, user + system, and the system part alone. */
  cpu: number;
  system: number;
  /** Minor page faults: on some VMs each costs microseconds of the host's time (bench/README.md). */
  faults: number;
}

/** What a process has used, from /proc (zeros once it is gone). */
function processUsage(pid: number): ProcessUsage {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const [faults, user, system] = [fields[7], fields[11], fields[12]].map(Number); // minflt, utime, stime (USER_HZ 100)
    return { cpu: (user + system) / 100, system: system / 100, faults };
  } catch {
    return { cpu: 0, system: 0, faults: 0 };
  }
}

/** CPU seconds of every process of the database server (PostgreSQL: postmaster and backends; mariadbd). */
function serverCpuSeconds(dialect: keyof typeof SERVERS): number {
  const names = dialect === 'postgres' ? ['postgres'] : ['mariadbd', 'mysqld'];
  let s = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (names.includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) s += processUsage(Number(pid)).cpu;
    } catch {
      // gone meanwhile
    }
  }
  return s;
}

/** Sum of a counter over the writers (0 when a writer has none yet). */
async function sumMetric(writers: AgentProcess[], name: string): Promise<number> {
  let n = 0;
  for (const w of writers) n += await w.metric(name).catch(() => 0);
  return n;
}

interface Result {
  name: string;
  rows: number;
  seconds: number;
  steadySeconds: number;
  batches: number;
  /** Over the drain: the writer processes (summed), and the database server's CPU seconds. */
  writer: ProcessUsage;
  serverCpu: number;
}

async function drain(topic: string, dialect: keyof typeof SERVERS, writers: number): Promise<Result> {
  const name = `sipcap_bench_${randomBytes(4).toString('hex')}`;
  const url = `${SERVERS[dialect]}/${name}`;
  await ensureDatabase(url);
  const group = `bench-${name}`;
  const env: Record<string, string> = { DB_URL: url, KAFKA_TOPIC: topic, KAFKA_DLQ_TOPIC: `${topic}-dlq`, KAFKA_GROUP_ID: group };
  for (const k of ['DB_BATCH_SIZE', 'DB_FLUSH_MS', 'DB_CONNECTIONS', 'KAFKA_PARTITIONS']) if (process.env[k]) env[k] = process.env[k]!;
  const nodeArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const t0 = performance.now();
  const server0 = serverCpuSeconds(dialect);
  const ws = Array.from({ length: writers }, () => startAgent(WRITER_APP, env, { nodeArgs }));
  try {
    let first = 0;
    let rows = 0;
    let writer: ProcessUsage = { cpu: 0, system: 0, faults: 0 };
    for (;;) {
      writer = ws
        .map((w) => processUsage(w.child.pid!))
        .reduce((a, b) => ({ cpu: a.cpu + b.cpu, system: a.system + b.system, faults: a.faults + b.faults }));
      rows = await sumMetric(ws, 'sipcap_db_rows_inserted_total');
      if (rows > 0 && first === 0) first = performance.now();
      if (rows >= RECORDS) break;
      for (const w of ws) if (w.child.exitCode !== null) throw new Error(`a writer exited:\n${w.output()}`);
      // No row after 30 s means a writer is stuck (retrying a write that fails): show what it logged.
      const waited = performance.now() - t0;
      if (waited > 900_000 || (rows === 0 && waited > 30_000)) {
        throw new Error(`${rows} rows after ${Math.round(waited / 1000)} s; the writers logged:\n${ws.map((w) => w.output()).join('\n')}`);
      }
      await sleep(100);
    }
    const end = performance.now();
    const serverCpu = serverCpuSeconds(dialect) - server0;
    const counted = await countRows(url);
    if (counted !== RECORDS) throw new Error(`count(*) is ${counted}, expected ${RECORDS}`);
    const batches = await sumMetric(ws, 'sipcap_db_batches_total');
    return {
      name: `${dialect === 'postgres' ? 'PostgreSQL' : 'MariaDB'}, ${writers} writer${writers > 1 ? 's' : ''}`,
      rows: counted,
      seconds: (end - t0) / 1000,
      steadySeconds: (end - first) / 1000,
      batches,
      writer,
      serverCpu,
    };
  } finally {
    await Promise.all(ws.map((w) => w.stop()));
    await dropDatabase(url, name);
  }
}

/**
 * Microseconds to fault in and fill one fresh 4 KiB page (256 MiB in new 32 MiB buffers): how fast the
 * machine is that day for memory-heavy work: 9-16 on this VM on 2026-12-04 evening, when it ran every drain
 * 2-3x slower than the day before (bench/README.md).
 */
function freshPageMicros(): number {
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) Buffer.allocUnsafeSlow(32 << 20).fill(i);
  return ((performance.now() - t0) * 1000) / ((256 << 20) / 4096);
}

/** The server settings that move the PostgreSQL figures most (see bench/README.md). */
async function pgSettings(): Promise<string> {
  const c = new pg.Client({ connectionString: `${SERVERS.postgres}/postgres` });
  await c.connect();
  try {
    const names = ['shared_buffers', 'wal_buffers', 'max_wal_size', 'synchronous_commit'];
    const r = await c.query('SELECT name, current_setting(name) AS v FROM pg_settings WHERE name = ANY($1) ORDER BY name', [names]);
    return r.rows.map((x: { name: string; v: string }) => `${x.name}=${x.v}`).join(' ');
  } finally {
    await c.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// --- phases: where the time goes ---------------------------------------------------------------------

/** Kafka fetch, gunzip and record reading, as the writer's consumer does it, without a database. */
async function fetchAndDecode(topic: string, keep: number): Promise<{ seconds: number; kept: CaptureRecord[] }> {
  const kept: CaptureRecord[] = [];
  let n = 0;
  const consumer = new BatchConsumer(kafka, {
    topic,
    groupId: `bench-fetch-${Date.now()}`,
    log,
    partitionsConsumedConcurrently: PARTITIONS,
  });
  const t0 = performance.now();
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.start(async ({ messages }) => {
    for (const m of messages) {
      const split = splitRecordValue(m.value!);
      if (!split.ok) throw new Error(split.message);
      for (const value of split.records) {
        const d = readRecord(value);
        if (!d.ok) throw new Error(d.message);
        if (kept.length < keep) kept.push(d.record);
        n++;
      }
    }
    if (n >= RECORDS) done();
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await consumer.stop();
  return { seconds, kept };
}

async function phases(topic: string): Promise<void> {
  const batch = Number(process.env.DB_BATCH_SIZE ?? 5000);
  const f = await fetchAndDecode(topic, Math.min(RECORDS, 100_000));
  console.log(
    `phase: Kafka fetch + gunzip + read (no database) ${fmt(RECORDS / f.seconds).padStart(9)} records/s (includes the group join)`,
  );
  const rows = f.kept;
  const encode = (label: string, fn: (records: CaptureRecord[]) => Buffer): Buffer[] => {
    const out: Buffer[] = [];
    const e0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) out.push(fn(rows.slice(i, i + batch)));
    const s = (performance.now() - e0) / 1000;
    console.log(
      `phase: COPY ${label} encoding, one core ${' '.repeat(10 - label.length)}${fmt(rows.length / s).padStart(9)} rows/s (${((s * 1e6) / rows.length).toFixed(1)} µs/row)`,
    );
    return out;
  };
  const text = encode('text', (r) => encodeCopyRows(r));
  const binary = encode('binary', (r) => encodeCopyBinary(r));

  const name = `sipcap_bench_${randomBytes(4).toString('hex')}`;
  const url = `${SERVERS.postgres}/${name}`;
  await ensureDatabase(url);
  try {
    const store = await openStore(url);
    await ensureSchema(store, 'sip_capture');
    await store.close();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const copy = async (table: string, batches: Buffer[], format: string) => {
      const t0 = performance.now();
      for (const data of batches) {
        await c.query('BEGIN');
        const stream = c.query(
          copyFrom(`COPY ${quotePg(table)} (${PG_ROW_COLUMNS.map(quotePg).join(', ')}) FROM STDIN (FORMAT ${format})`),
        );
        await new Promise<void>((resolve, reject) => {
          stream.once('error', reject);
          stream.once('finish', resolve);
          stream.end(data);
        });
        await c.query('COMMIT');
      }
      return rows.length / ((performance.now() - t0) / 1000);
    };
    await c.query('CREATE TABLE bare (LIKE sip_capture INCLUDING DEFAULTS)');
    for (const [format, batches] of [
      ['text', text],
      ['binary', binary],
    ] as const) {
      const indexed = await copy('sip_capture', batches, format);
      const bare = await copy('bare', batches, format);
      console.log(
        `phase: server COPY (${format}) of pre-encoded batches ${fmt(indexed).padStart(9)} rows/s with the 8 indexes, ${fmt(bare)} rows/s without (comparison only)`,
      );
    }
    await c.end();
  } finally {
    await dropDatabase(url, name);
  }
}

async function main(): Promise<void> {
  const topic = `bench-writer-${Date.now().toString(36)}`;
  console.log(`filling ${topic} (${PARTITIONS} partitions) with ${fmt(RECORDS)} records ...`);
  const f = await fill(topic);
  console.log(
    `filled in ${f.seconds.toFixed(1)} s (${fmt(RECORDS / f.seconds)} records/s, SIP messages ${fmt(f.bytes / RECORDS)} bytes on average)`,
  );
  console.log(`PostgreSQL settings: ${await pgSettings()}; a fresh memory page costs ${freshPageMicros().toFixed(2)} µs`);
  const plan: [string, keyof typeof SERVERS, number][] = [
    ['pg1', 'postgres', 1],
    ['pg2', 'postgres', 2],
    ['my1', 'mysql', 1],
    ['my2', 'mysql', 2],
  ];
  try {
    if (SCENARIOS.includes('phases')) await phases(topic);
    for (const [key, dialect, writers] of plan) {
      if (!SCENARIOS.includes(key)) continue;
      const r = await drain(topic, dialect, writers);
      console.log(
        `${r.name.padEnd(24)} ${fmt(r.rows)} rows in ${r.seconds.toFixed(1)} s: ${fmt(r.rows / r.seconds).padStart(7)} rows/s` +
          ` (steady, first row to last: ${fmt(r.rows / r.steadySeconds)} rows/s; ${fmt(r.batches)} transactions, ${fmt(r.rows / Math.max(1, r.batches))} rows each; CPU s: writer ${r.writer.cpu.toFixed(1)} (system ${r.writer.system.toFixed(1)}, ${fmt(r.writer.faults)} page faults), server ${r.serverCpu.toFixed(1)})`,
      );
    }
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: [topic, `${topic}-dlq`].filter((t) => existing.has(t)) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
