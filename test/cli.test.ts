// The sipcap command line against the real stack: the BUILT cli (dist/apps/cli/main.js) runs as a child
// process with its own flag key, topics, consumer group and databases, and the test checks both what it
// printed and what it did in Redis, Kafka, PostgreSQL, MariaDB, and on the UDP/TCP sockets it sent to.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedChannel } from '@sipcap/capture-flag';
import { AgentReporter } from '@sipcap/fleet';
import { decodeHep, HepStreamReader, type HepPacket } from '@sipcap/hep';
import { TcpFlag, testing, writePcap, type PcapWriteRecord } from '@sipcap/packet';
import { sampleRecord } from '@sipcap/record';
import { openStore } from '@sipcap/store';
import { BROKERS, testKafka, uniqueName, waitFor } from './support/kafka';
import { SERVERS } from './support/servers';
import { storeRows } from './store-fixtures';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist/apps/cli/main.js');
const REDIS_URL = `redis://${SERVERS.redis.host}:${SERVERS.redis.port}`;
const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';
const MY_SERVER = 'mysql://root@127.0.0.1:3306';
/** A port nothing listens on (the discard port; closed on these machines). */
const CLOSED_PORT = 9;

const id = randomBytes(4).toString('hex');
const flagKey = `test_${id}`;
const topic = uniqueName('cli');
const group = `cli-group-${id}`;
const pgDb = `sipcap_cli_${id}`;
const myDb = `sipcap_cli_${id}`;
const pgUrl = `${PG_SERVER}/${pgDb}`;
const myUrl = `${MY_SERVER}/${myDb}`;
const tmp = mkdtempSync(join(tmpdir(), 'sipcap-cli-'));

/** Settings every run gets: names of this test only, and the shared servers. */
const baseEnv: Record<string, string> = {
  REDIS_URL,
  CAPTURE_FLAG_KEY: flagKey,
  CAPTURE_ON: '0',
  KAFKA_BROKERS: BROKERS.join(','),
  KAFKA_TOPIC: topic,
  KAFKA_DLQ_TOPIC: `${topic}.dlq`,
  KAFKA_PARTITIONS: '2',
  KAFKA_GROUP_ID: group,
  DB_URL: pgUrl,
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; the environment holds only PATH/HOME and the given settings (no stray settings of the machine). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: tmp, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...baseEnv, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let redis: Redis;

beforeAll(() => {
  // The test is about the built artefact: build it from the current sources first.
  execFileSync(process.execPath, ['scripts/build-app.mjs', 'cli'], { cwd: ROOT, stdio: 'ignore' });
  redis = new Redis(REDIS_URL);
});

afterAll(async () => {
  await redis.del(flagKey);
  await redis.quit();
  const admin = testKafka().admin();
  await admin.connect();
  const existing = await admin.listTopics();
  await admin.deleteTopics({ topics: [topic, `${topic}.dlq`].filter((t) => existing.includes(t)) }).catch(() => undefined);
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.disconnect();
  const pgAdmin = new pg.Client({ connectionString: `${PG_SERVER}/postgres` });
  await pgAdmin.connect();
  await pgAdmin.query(`DROP DATABASE IF EXISTS "${pgDb}" WITH (FORCE)`);
  await pgAdmin.end();
  const my = await mysql.createConnection({ uri: MY_SERVER });
  await my.query(`DROP DATABASE IF EXISTS \`${myDb}\``);
  await my.end();
  rmSync(tmp, { recursive: true, force: true });
});

describe('sipcap capture', () => {
  it('reads .env in the working directory like the apps (the real environment wins)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipcap-dotenv-'));
    const key = `${flagKey}_dotenv`;
    writeFileSync(join(dir, '.env'), `CAPTURE_FLAG_KEY=${key}\nREDIS_URL=${REDIS_URL}\nCAPTURE_ON=0\n`);
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<Run>((resolve) => {
        execFile(
          process.execPath,
          [CLI, ...args],
          { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
        );
      });
    try {
      const on = await run(['capture', 'on']);
      expect(on.stderr).toBe('');
      expect(on.code).toBe(0);
      expect(await redis.get(key)).toBe('on');
      const other = `${key}_env`;
      expect((await run(['capture', 'off'], { CAPTURE_FLAG_KEY: other })).code).toBe(0);
      expect(await redis.get(other)).toBe('off');
      expect(await redis.get(key)).toBe('on');
    } finally {
      await redis.del(key, `${key}_env`);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an absent key prints the CAPTURE_ON default, first word on/off', async () => {
    await redis.del(flagKey);
    const off = await cli(['capture']);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^off \(/);
    expect(off.stdout).toContain(`key ${flagKey} absent`);
    const on = await cli(['capture'], { CAPTURE_ON: '1' });
    expect(on.stdout).toMatch(/^on \(/);
    expect(on.stdout).toContain('absent');
    expect(await redis.exists(flagKey)).toBe(0); // reading never writes
  });

  it('capture on / off set the key, announce the change, and capture prints it back', async () => {
    const sub = new Redis(REDIS_URL);
    const heard: string[] = [];
    await sub.subscribe(changedChannel(flagKey));
    sub.on('message', (_channel, value) => heard.push(value));
    try {
      const on = await cli(['capture', 'on']);
      expect(on.code).toBe(0);
      expect(on.stdout).toMatch(/^on \(key /);
      expect(on.stdout).toContain('1 agent notified'); // our subscriber
      expect(await redis.get(flagKey)).toBe('on');
      expect((await cli(['capture'])).stdout).toBe(`on (key ${flagKey})\n`);

      const off = await cli(['capture', 'off']);
      expect(off.code).toBe(0);
      expect(await redis.get(flagKey)).toBe('off');
      expect((await cli(['capture'])).stdout).toBe(`off (key ${flagKey})\n`);
      await waitFor('the change announcements', () => (heard.length >= 2 ? true : undefined), 5000);
      expect(heard).toEqual(['on', 'off']);
    } finally {
      await sub.quit();
    }
  });

  it('a value set by redis-cli (1 / 0) reads as on / off; --json gives the details', async () => {
    await redis.set(flagKey, '1');
    const r = await cli(['capture', '--json']);
    expect(JSON.parse(r.stdout)).toEqual({ key: flagKey, state: 'on', source: 'key', raw: '1', captureOnDefault: false });
  });

  it('capture clear deletes the key, so agents fall back to CAPTURE_ON', async () => {
    await redis.set(flagKey, 'on');
    const r = await cli(['capture', 'clear'], { CAPTURE_ON: '0' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^off \(key .* absent/);
    expect(await redis.exists(flagKey)).toBe(0);
  });

  it('Redis unreachable: exit 1 and a message naming REDIS_URL', async () => {
    const r = await cli(['capture', 'on'], { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:9 \(REDIS_URL\).*ECONNREFUSED/);
  });

  it('a bad setting is a usage error (exit 2)', async () => {
    const r = await cli(['capture'], { CAPTURE_ON: 'maybe' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid setting CAPTURE_ON');
  });
});

describe('sipcap db init', () => {
  it('PostgreSQL: creates the database, tables and topics, and says they exist the second time', async () => {
    const first = await cli(['db', 'init']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`database ${pgDb} on postgres://127.0.0.1:5432: created`);
    expect(first.stdout).toContain('table sip_capture: created\n');
    expect(first.stdout).toContain('table sipcap_offsets: created\n');
    expect(first.stdout).toContain(`topic ${topic}: created (2 partitions)`);
    expect(first.stdout).toContain(`topic ${topic}.dlq: created (2 partitions)`);

    const second = await cli(['db', 'init']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`database ${pgDb} on postgres://127.0.0.1:5432: exists`);
    expect(second.stdout).toContain('table sip_capture: exists\n');
    expect(second.stdout).toContain('table sipcap_offsets: exists\n');
    expect(second.stdout).toContain(`topic ${topic}: exists (2 partitions)`);
    expect(second.stdout).not.toContain('created');

    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    const r = await db.query("SELECT to_regclass('sip_capture') IS NOT NULL AS a, to_regclass('sipcap_offsets') IS NOT NULL AS b");
    await db.end();
    expect(r.rows[0]).toEqual({ a: true, b: true });
    const admin = testKafka().admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
    await admin.disconnect();
    expect(meta.topics.map((t) => t.partitions.length)).toEqual([2, 2]);
  });

  it("PostgreSQL with DB_PARTITION=day and a dated TABLE_NAME: today's table partitioned by day", async () => {
    const r = await cli(['db', 'init', '--skip-kafka'], { DB_PARTITION: 'day', TABLE_NAME: 'sip_day_%Y%m%d' });
    expect(r.code).toBe(0);
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(r.stdout).toContain(`table sip_day_${today}: created (partitioned by day)`);
    expect(r.stdout).not.toContain('topic');
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    const kind = await db.query('SELECT relkind FROM pg_class WHERE relname = $1', [`sip_day_${today}`]);
    await db.end();
    expect(kind.rows[0]?.relkind).toBe('p');
  });

  it('MariaDB: creates the database and tables, then finds them', async () => {
    const first = await cli(['db', 'init', '--skip-kafka'], { DB_URL: myUrl });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(
      `database ${myDb} on mysql://127.0.0.1:3306: created\ntable sip_capture: created\ntable rtcp_capture: created\ntable report_capture: created\ntable logs_capture: created\ntable sipcap_offsets: created\n`,
    );
    const second = await cli(['db', 'init', '--skip-kafka'], { DB_URL: myUrl });
    expect(second.stdout).toBe(
      `database ${myDb} on mysql://127.0.0.1:3306: exists\ntable sip_capture: exists\ntable rtcp_capture: exists\ntable report_capture: exists\ntable logs_capture: exists\ntable sipcap_offsets: exists\n`,
    );
    const my = await mysql.createConnection({ uri: MY_SERVER });
    const [rows] = await my.query('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [myDb]);
    await my.end();
    expect((rows as { t: string }[]).map((r) => r.t).sort()).toEqual([
      'logs_capture',
      'report_capture',
      'rtcp_capture',
      'sip_capture',
      'sipcap_offsets',
    ]);
  });

  it('MariaDB with DB_PARTITION=day: tables partitioned by day (HOMER 5 layout), today and the days ahead', async () => {
    const db = `${myDb}_part`;
    const r = await cli(['db', 'init', '--skip-kafka'], {
      DB_URL: `${MY_SERVER}/${db}`,
      DB_PARTITION: 'day',
      DB_PARTITION_AHEAD_DAYS: '2',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('table sip_capture: created (partitioned by day)');
    expect(r.stdout).toContain('table rtcp_capture: created (partitioned by day)');
    const my = await mysql.createConnection({ uri: MY_SERVER });
    try {
      const [rows] = await my.query(
        "SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'sip_capture' ORDER BY PARTITION_ORDINAL_POSITION",
        [db],
      );
      const today = Math.floor(Date.now() / 86_400_000);
      const name = (d: number) => 'p' + new Date(d * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
      expect((rows as { p: string }[]).map((x) => x.p)).toEqual([name(today), name(today + 1), name(today + 2), 'pmax']);
    } finally {
      await my.query(`DROP DATABASE IF EXISTS \`${db}\``);
      await my.end();
    }
  });

  it('an unreachable database: exit 1, and the topics are still created', async () => {
    const r = await cli(['db', 'init'], { DB_URL: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/x` });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:9\/x \(DB_URL\)/);
    expect(r.stdout).toContain(`topic ${topic}: exists`);
  });
});

describe('sipcap db stats', () => {
  it('counts rows by capture time in the last minute and hour', async () => {
    await cli(['db', 'init', '--skip-kafka']);
    const store = await openStore(pgUrl);
    const now = BigInt(Date.now()) * 1000n;
    const rows = [
      now - 5_000_000n, // 5 s ago
      now - 10_000_000n,
      now - 20n * 60_000_000n, // 20 min ago
      now - 3n * 3_600_000_000n, // 3 h ago: in neither
    ].map((micro_ts) => ({ table: 'sip_capture', record: sampleRecord({ micro_ts }) }));
    await storeRows(store, rows);
    await store.close();
    const r = await cli(['db', 'stats', '--json']);
    expect(r.code).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats.tables).toHaveLength(1);
    expect(stats.tables[0]).toMatchObject({ table: 'sip_capture', lastMinute: 2, lastHour: 3 });
    // The planner's estimate lags (0 before the table is analysed): never shown below what was just counted.
    expect(stats.tables[0].approxRows).toBeGreaterThanOrEqual(3);
    expect(stats.tables[0].latest).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    const text = await cli(['db', 'stats']);
    expect(text.stdout).toMatch(/^TABLE\s+LAST MINUTE\s+LAST HOUR/);
    expect(text.stdout).toMatch(/\nsip_capture\s+2\s+3\s/);
  });
});

describe('a server that takes the connection and never answers', () => {
  let silent: Server;
  let port = 0;
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    silent = createServer((c) => {
      sockets.add(c);
      c.on('data', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const c of sockets) c.destroy();
    await new Promise((r) => silent.close(r));
  });

  it.each([
    [
      'Redis',
      ['capture', 'on'],
      () => ({ REDIS_URL: `redis://127.0.0.1:${port}` }),
      /Redis at redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\) took the connection but did not answer/,
    ],
    [
      'Kafka',
      ['db', 'init', '--skip-db'],
      () => ({ KAFKA_BROKERS: `127.0.0.1:${port}` }),
      /Kafka at 127\.0\.0\.1:\d+ \(KAFKA_BROKERS\) took the connection but did not answer/,
    ],
    [
      'PostgreSQL',
      ['db', 'init', '--skip-kafka'],
      () => ({ DB_URL: `postgres://postgres@127.0.0.1:${port}/x` }),
      /PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/x \(DB_URL\)/,
    ],
  ] as const)('%s: named within 10 s, exit 1', async (_name, args, env, message) => {
    const t0 = Date.now();
    const r = await cli([...args], env());
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('sipcap status', () => {
  it("lists a running agent with its rates, the flag, and the writers' lag", async () => {
    // Lag: 5 records on partition 0 and 3 on partition 1; the group has committed 2 and 3.
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }); // false when db init made it already
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ partition: 0, value: `a${i}` })) });
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ partition: 1, value: `b${i}` })) });
    await producer.disconnect();
    const ends = await admin.fetchTopicOffsets(topic);
    const end0 = Number(ends.find((e) => e.partition === 0)!.high);
    const end1 = Number(ends.find((e) => e.partition === 1)!.high);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: String(end0 - 3) },
        { partition: 1, offset: String(end1) },
      ],
    });
    await admin.disconnect();

    await redis.set(flagKey, 'on');
    const node = `cli-node-${id}`;
    const t0 = Date.now();
    const reporter = new AgentReporter({
      redisUrl: REDIS_URL,
      node,
      app: 'hep-agent',
      intervalMs: 200,
      captureOn: () => true,
      // 500 messages a second, and a level that must not become a rate.
      counters: () => ({ received: Math.floor(((Date.now() - t0) / 1000) * 500), kafkaQueued: 3 }),
    });
    await reporter.start();
    try {
      const r = await cli(['status', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const status = JSON.parse(r.stdout);
      expect(status.flag).toMatchObject({ key: flagKey, state: 'on', source: 'key' });
      const agent = status.agents.find((a: { node: string }) => a.node === node);
      expect(agent).toMatchObject({
        app: 'hep-agent',
        pid: process.pid,
        captureOn: true,
        stale: false,
        basis: 'sample',
        gauges: { kafkaQueued: 3 },
      });
      expect(agent.ageMs).toBeLessThan(2000);
      expect(agent.rates.received).toBeGreaterThan(350);
      expect(agent.rates.received).toBeLessThan(650);
      expect(status.writers).toMatchObject({ group, topic, topicExists: true, lag: 3, members: 0 });
      expect(status.writers.partitions).toEqual([
        { partition: 0, committed: end0 - 3, end: end0, lag: 3 },
        { partition: 1, committed: end1, end: end1, lag: 0 },
      ]);

      const text = await cli(['status']);
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`capture: on (key ${flagKey})`);
      expect(text.stdout).toMatch(/NODE\s+APP\s+PID\s+HOST\s+CAPTURE\s+REPORTED\s+COUNTERS/);
      expect(text.stdout).toMatch(
        new RegExp(`${node}\\s+hep-agent\\s+${process.pid}\\s+\\S+\\s+on\\s+.*received \\d+(\\.\\dk)? \\(\\d+/s\\), kafkaQueued 3`),
      );
      expect(text.stdout).toContain(`writers: group ${group} on ${topic}: lag 3 Kafka messages over 2 partitions; no writer connected`);

      // --check: a probe. No writer in the group, and the flag against --expect: exit 3, each problem named.
      const noWriter = await cli(['status', '--check', '--sample', '0', '--expect', 'off', '--min-agents', '1']);
      expect(noWriter.code).toBe(3);
      expect(noWriter.stderr).toContain(`sipcap status: CHECK FAILED: no db-writer in group ${group}`);
      expect(noWriter.stderr).toContain('CHECK FAILED: capture is on, expected off');
      expect(noWriter.stderr).toContain(`CHECK FAILED: agent hep-agent on ${node} captures on, expected off`);
      const consumer = testKafka('cli-check-writer').consumer({ groupId: group });
      await consumer.connect();
      await consumer.subscribe({ topic });
      await consumer.run({ eachMessage: async () => undefined });
      try {
        await waitFor(
          'the group to have a member',
          async () => {
            const r = await cli(['status', '--json', '--sample', '0']);
            return JSON.parse(r.stdout).writers?.members > 0 ? true : undefined;
          },
          30_000,
          500,
        );
        const healthy = await cli(['status', '--check', '--sample', '0', '--expect', 'on']);
        expect(healthy.stderr).toBe('');
        expect(healthy.code).toBe(0);
        const lagging = await cli(['status', '--check', '--sample', '0', '--min-agents', '5']);
        expect(lagging.code).toBe(3);
        expect(lagging.stderr).toMatch(/CHECK FAILED: \d+ agents? reporting, expected at least 5/);
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await reporter.stop();
    }
    const after = JSON.parse((await cli(['status', '--json', '--sample', '0'])).stdout);
    expect(after.agents.some((a: { node: string }) => a.node === node)).toBe(false);
  });

  it('Kafka unreachable: still prints the flag and agents, names Kafka, exit 1', async () => {
    const r = await cli(['status'], { KAFKA_BROKERS: `127.0.0.1:${CLOSED_PORT}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^capture: (on|off) /);
    expect(r.stdout).toContain('writers: unknown (Kafka unreachable)');
    expect(r.stderr).toContain(`cannot reach Kafka at 127.0.0.1:${CLOSED_PORT} (KAFKA_BROKERS)`);
  });

  it("Redis unreachable: still prints the writers' lag, names Redis, exit 1", async () => {
    const r = await cli(['status', '--sample', '0'], { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('agents: unknown (Redis unreachable)');
    expect(r.stdout).toContain(`writers: group ${group} on ${topic}: lag`);
    expect(r.stderr).toContain('cannot reach Redis');
  });
});

describe('sipcap replay', () => {
  const { buildEthernetIpv4Udp, buildEthernetIpv6Udp, buildEthernetTcp, sipRequest, sipReply, sdpBody } = testing;
  const T = 1_736_935_200_000_000n; // 2025-01-15 10:00:00 UTC

  interface Expected {
    srcIp: string;
    dstIp: string;
    srcPort: number;
    dstPort: number;
    ipProto: number;
    family: number;
    tsMicros: bigint;
    payload: Buffer;
  }
  const expected: Expected[] = [];
  const records: PcapWriteRecord[] = [];
  function udp(ts: bigint, srcIp: string, srcPort: number, dstIp: string, dstPort: number, payload: Buffer, sip = true): void {
    const v6 = srcIp.includes(':');
    const frame = (v6 ? buildEthernetIpv6Udp : buildEthernetIpv4Udp)({ srcIp, dstIp, srcPort, dstPort, payload });
    records.push({ tsMicros: ts, frame });
    if (sip) expected.push({ srcIp, dstIp, srcPort, dstPort, ipProto: 17, family: v6 ? 10 : 2, tsMicros: ts, payload });
  }
  // Three calls over UDP (IPv4 and IPv6), one over TCP with its INVITE split in two segments, and noise.
  udp(T, '192.0.2.10', 5060, '192.0.2.20', 5060, sipRequest({ callId: 'call-a@x', body: sdpBody(200) }));
  udp(T + 1_000n, '192.0.2.20', 5060, '192.0.2.10', 5060, sipReply({ callId: 'call-a@x', status: 180, reason: 'Ringing' }));
  udp(T + 2_000n, '192.0.2.10', 53000, '192.0.2.53', 53, Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), false);
  udp(T + 3_000n, '2001:db8::10', 5062, '2001:db8::20', 5080, sipRequest({ method: 'OPTIONS', callId: 'call-b@v6' }));
  udp(T + 4_000n, '2001:db8::20', 5080, '2001:db8::10', 5062, sipReply({ callId: 'call-b@v6' }));
  const tcpInvite = sipRequest({ callId: 'call-c@tcp', body: sdpBody(400) });
  const tcp = (ts: bigint, seq: number, flags: number, payload?: Buffer) =>
    records.push({
      tsMicros: ts,
      frame: buildEthernetTcp({ srcIp: '198.51.100.7', dstIp: '198.51.100.8', srcPort: 40_123, dstPort: 5060, seq, flags, payload }),
    });
  tcp(T + 5_000n, 1000, TcpFlag.SYN);
  tcp(T + 5_100n, 1001, TcpFlag.ACK, tcpInvite.subarray(0, 100));
  tcp(T + 5_200n, 1101, TcpFlag.ACK | TcpFlag.PSH, tcpInvite.subarray(100));
  expected.push({
    srcIp: '198.51.100.7',
    dstIp: '198.51.100.8',
    srcPort: 40_123,
    dstPort: 5060,
    ipProto: 6,
    family: 2,
    tsMicros: T + 5_200n,
    payload: tcpInvite,
  });
  udp(T + 6_000n, '192.0.2.10', 5060, '192.0.2.20', 5060, sipRequest({ method: 'BYE', callId: 'call-a@x' }));
  const pcapFile = join(tmp, 'replay.pcap');
  writeFileSync(pcapFile, writePcap(records));

  let udpSocket: UdpSocket;
  let udpPort: number;
  const udpReceived: Buffer[] = [];
  let tcpServer: Server;
  let tcpPort: number;
  const tcpReceived: Buffer[] = [];

  beforeAll(async () => {
    udpSocket = createSocket('udp4');
    udpSocket.on('message', (m) => udpReceived.push(m));
    await new Promise<void>((ok) => udpSocket.bind(0, '127.0.0.1', ok));
    udpPort = udpSocket.address().port;
    tcpServer = createServer((conn) => {
      const reader = new HepStreamReader({ onFrame: (f) => tcpReceived.push(Buffer.from(f)), onError: () => conn.destroy() });
      conn.on('data', (d) => reader.push(d));
    });
    await new Promise<void>((ok) => tcpServer.listen(0, '127.0.0.1', ok));
    tcpPort = (tcpServer.address() as { port: number }).port;
  });

  afterAll(async () => {
    udpSocket.close();
    await new Promise((ok) => tcpServer.close(ok));
  });

  function decodeAll(packets: Buffer[]): HepPacket[] {
    return packets.map((b) => {
      const r = decodeHep(b);
      if (!r.ok) throw new Error(`undecodable HEP: ${r.reason}`);
      return r.packet;
    });
  }

  function expectOriginals(got: HepPacket[], version: number): void {
    expect(got).toHaveLength(expected.length);
    got.forEach((p, i) => {
      const e = expected[i];
      expect({ ...p, payload: p.payload.toString('latin1') }).toMatchObject({
        version,
        srcIp: e.srcIp,
        dstIp: e.dstIp,
        srcPort: e.srcPort,
        dstPort: e.dstPort,
        family: e.family,
        ipProto: e.ipProto,
        tsSec: Number(e.tsMicros / 1_000_000n),
        tsUsec: Number(e.tsMicros % 1_000_000n),
        payload: e.payload.toString('latin1'),
      });
    });
  }

  it('sends every SIP message as HEP3 over UDP with the captured addresses, ports, transport and time', async () => {
    udpReceived.length = 0;
    const r = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`]);
    expect(r.stderr).toBe(''); // not a TTY: no progress bar
    expect(r.code).toBe(0);
    await waitFor('all datagrams', () => (udpReceived.length >= expected.length ? true : undefined), 5000);
    expectOriginals(decodeAll(udpReceived), 3);
    const bytes = udpReceived.reduce((n, b) => n + b.length, 0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^sent ${expected.length} SIP messages \\(${bytes} bytes of HEP3\\) over udp to 127\\.0\\.0\\.1:${udpPort} in [\\d.]+ s \\([\\d.k]+ msg/s\\); skipped 1 non-SIP packet \\(1 not SIP\\)\\n$`,
      ),
    );
  });

  it('sends HEP3 frames over TCP', async () => {
    tcpReceived.length = 0;
    const r = await cli(['replay', pcapFile, '--to', `127.0.0.1:${tcpPort}`, '--transport', 'tcp', '--rate', '0']);
    expect(r.code).toBe(0);
    await waitFor('all frames', () => (tcpReceived.length >= expected.length ? true : undefined), 5000);
    expectOriginals(decodeAll(tcpReceived), 3);
    expect(r.stdout).toContain(`sent ${expected.length} SIP messages`);
  });

  it('--loop 2 --unique-callids sends the file twice with Call-IDs ending in -1 and -2', async () => {
    udpReceived.length = 0;
    const r = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`, '--loop', '2', '--unique-callids', '--rate', '0', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ messages: 2 * expected.length, loops: 2, hep: 3, transport: 'udp', skipped: { total: 1, notSip: 1 } });
    await waitFor('all datagrams', () => (udpReceived.length >= 2 * expected.length ? true : undefined), 5000);
    const got = decodeAll(udpReceived);
    const callIds = got.map((p) => /\r\nCall-ID: ([^\r]*)\r\n/.exec(p.payload.toString('latin1'))?.[1]);
    const originals = expected.map((e) => /\r\nCall-ID: ([^\r]*)\r\n/.exec(e.payload.toString('latin1'))?.[1]);
    expect(callIds).toEqual([...originals.map((c) => `${c}-1`), ...originals.map((c) => `${c}-2`)]);
    // Everything else is as captured: the message with the suffix taken out is the original.
    got.forEach((p, i) => {
      const loop = i < expected.length ? 1 : 2;
      const e = expected[i % expected.length];
      expect(p.payload.toString('latin1').replace(/(\r\nCall-ID: [^\r]*)-\d\r\n/, '$1\r\n')).toBe(e.payload.toString('latin1'));
      expect(p.srcPort).toBe(e.srcPort);
      expect(callIds[i]!.endsWith(`-${loop}`)).toBe(true);
    });
  });

  it('--loop 2 without --unique-callids replays as it is', async () => {
    udpReceived.length = 0;
    const r = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`, '--loop', '2', '--rate', '0']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(', 2 loops of the file');
    await waitFor('all datagrams', () => (udpReceived.length >= 2 * expected.length ? true : undefined), 5000);
    const payloads = decodeAll(udpReceived).map((p) => p.payload.toString('latin1'));
    const once = expected.map((e) => e.payload.toString('latin1'));
    expect(payloads).toEqual([...once, ...once]);
  });

  it('--hep 2 --node-id 7 --now: HEP v2 with the capture id and the time of sending', async () => {
    udpReceived.length = 0;
    const before = Math.floor(Date.now() / 1000);
    const r = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`, '--hep', '2', '--node-id', '7', '--now']);
    const after = Math.ceil(Date.now() / 1000);
    expect(r.code).toBe(0);
    await waitFor('all datagrams', () => (udpReceived.length >= expected.length ? true : undefined), 5000);
    const got = decodeAll(udpReceived);
    expect(got.map((p) => p.version)).toEqual(expected.map(() => 2));
    expect(got.every((p) => p.captureId === 7 && p.tsSec >= before && p.tsSec <= after)).toBe(true);
    expect(got.map((p) => p.payload.toString('latin1'))).toEqual(expected.map((e) => e.payload.toString('latin1')));
  });

  it("--rate paces the messages; --realtime follows the capture's timing", async () => {
    udpReceived.length = 0;
    const slow = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`, '--rate', '20', '--json']);
    // n messages at 20/s: the last goes (n-1)/20 s after the first.
    expect(expected.length).toBe(6);
    expect(JSON.parse(slow.stdout).seconds).toBeGreaterThanOrEqual((expected.length - 1) / 20 - 0.005);

    const spaced = join(tmp, 'spaced.pcap');
    const msg = (n: number) =>
      buildEthernetIpv4Udp({
        srcIp: '192.0.2.1',
        dstIp: '192.0.2.2',
        srcPort: 5060,
        dstPort: 5060,
        payload: sipRequest({ callId: `rt-${n}` }),
      });
    writeFileSync(spaced, writePcap([0, 1, 2].map((n) => ({ tsMicros: T + BigInt(n) * 200_000n, frame: msg(n) }))));
    const rt = await cli(['replay', spaced, '--to', `127.0.0.1:${udpPort}`, '--realtime', '--json']);
    const seconds = JSON.parse(rt.stdout).seconds;
    expect(seconds).toBeGreaterThanOrEqual(0.39);
    expect(seconds).toBeLessThan(2);
  });

  it('replays the committed sample capture: 20 SIP messages, one TCP call, a DNS lookup skipped', async () => {
    udpReceived.length = 0;
    const r = await cli(['replay', join(ROOT, 'samples/sample-calls.pcap'), '--to', `127.0.0.1:${udpPort}`, '--rate', '0', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ messages: 20, skipped: { total: 2, notSip: 2 }, tcpGaps: 0 });
    await waitFor('all datagrams', () => (udpReceived.length >= 20 ? true : undefined), 5000);
    const got = decodeAll(udpReceived);
    const methods = got.map((p) => p.payload.toString('latin1').split(' ', 2)[p.payload.toString('latin1').startsWith('SIP/2.0') ? 1 : 0]);
    expect(methods.filter((m) => m === 'INVITE')).toHaveLength(2);
    expect(methods.filter((m) => m === 'REGISTER')).toHaveLength(2);
    expect(methods.filter((m) => m === '401')).toHaveLength(1);
    expect(methods.filter((m) => m === 'OPTIONS')).toHaveLength(1);
    expect(got.filter((p) => p.ipProto === 6)).toHaveLength(7);
  });

  it('failures: nothing listening on TCP, a file that is not a capture (exit 1)', async () => {
    const refused = await cli(['replay', pcapFile, '--to', `127.0.0.1:${CLOSED_PORT}`, '--transport', 'tcp']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot connect to 127\.0\.0\.1:9 over TCP: .*ECONNREFUSED/);

    const notPcap = join(tmp, 'not.pcap');
    writeFileSync(notPcap, 'hello, this is text');
    const bad = await cli(['replay', notPcap, '--to', `127.0.0.1:${udpPort}`]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not a pcap or pcapng file');
    expect(bad.stdout).not.toContain('sent 0'); // the error alone, no summary of nothing sent
  });

  it('usage errors exit 2 with a message', async () => {
    const r = await cli(['replay', pcapFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('say where to send with --to HOST:PORT');
    const r2 = await cli(['replay', pcapFile, '--to', `127.0.0.1:${udpPort}`, '--transport', 'tcp', '--hep', '1']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('use --hep 3 with --transport tcp');
  });
});

describe('sipcap --version and help', () => {
  it('prints the package version and the commands', async () => {
    const v = await cli(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sipcap \d+\.\d+\.\d+\n$/) });
    const h = await cli(['help']);
    expect(h.code).toBe(0);
    for (const c of ['capture', 'status', 'replay', 'db init', 'db stats']) expect(h.stdout).toContain(c);
  });
});
