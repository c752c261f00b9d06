import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { COLUMNS, sampleRecord, type CaptureRecord } from '@sipcap/record';
import {
  ensureDatabase,
  ensureSchema,
  openStore,
  StoreError,
  TableRouter,
  type BatchRow,
  type Store,
  type StoreOptions,
} from '@sipcap/store';
import { CaptureDateText } from '../libs/store/src/capture-date';
import { bulkExecute, canBulkExecute, installBulkHandshake, prepareOn } from '../libs/store/src/mariadb-bulk-command';
import { mariadbBulkCommands, mariadbBulkStatement } from '../libs/store/src/mariadb-bulk-rows';
import { lockMysqlOffsets } from '../libs/store/src/mysql-offsets';
import { MYSQL_SESSION_SETUP } from '../libs/store/src/mysql-store';
import { mysqlCreateTable } from '../libs/store/src/ddl';
import { openSearchDb, Searcher } from '@sipcap/search';
import {
  BINARY_MSG,
  eventually,
  expectedColumns,
  fullRecord,
  HOSTILE,
  micros,
  recordingLog,
  testDatabaseName,
  storeRows,
} from './store-fixtures';

const SERVER = 'mysql://root@127.0.0.1:3306';
const dbName = testDatabaseName();
const dbUrl = `${SERVER}/${dbName}`;

let db: mysql.Connection;
const stores: Store[] = [];

async function store(opts: StoreOptions = {}): Promise<Store> {
  const s = await openStore(dbUrl, opts);
  stores.push(s);
  return s;
}

const rows = (table: string, records: CaptureRecord[]): BatchRow[] => records.map((record) => ({ table, record }));

async function q(sql: string, values: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const [r] = await db.query<mysql.RowDataPacket[]>(sql, values);
  return r;
}

async function count(table: string): Promise<number> {
  return Number((await q(`SELECT count(*) AS n FROM \`${table}\``))[0].n);
}

/** Every column as text (CAST) plus msg as bytes. */
async function readBack(table: string): Promise<Record<string, unknown>[]> {
  const cols = ['date', ...COLUMNS.filter((c) => c !== 'msg')].map((c) => `CAST(\`${c}\` AS CHAR) AS \`${c}\``).join(', ');
  return q(`SELECT ${cols}, msg FROM \`${table}\` ORDER BY id`);
}

beforeAll(async () => {
  expect(await ensureDatabase(dbUrl)).toBe(true);
  expect(await ensureDatabase(dbUrl)).toBe(false);
  db = await mysql.createConnection({
    uri: dbUrl,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    multipleStatements: true,
  });
});

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  await db?.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
  await db?.end();
});

describe('schema', () => {
  it('ensureSchema creates sip_capture (InnoDB, utf8mb4, mediumblob msg) and the offsets table', async () => {
    const s = await store();
    expect(await ensureSchema(s, 'sip_capture')).toEqual(['sip_capture']);
    const cols = await q(
      "SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sip_capture' ORDER BY ORDINAL_POSITION",
    );
    expect(cols.map((c) => c.name)).toEqual(['id', 'date', ...COLUMNS]);
    expect(cols.find((c) => c.name === 'msg')!.type).toBe('mediumblob');
    const idx = await q(
      "SELECT DISTINCT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sip_capture' AND INDEX_NAME <> 'PRIMARY'",
    );
    expect(idx.map((r) => r.c).sort()).toEqual([
      'auth_user',
      'callid',
      'callid_aleg',
      'date',
      'from_user',
      'pid_user',
      'ruri_user',
      'to_user',
    ]);
    expect(
      await q("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sipcap_offsets'"),
    ).toHaveLength(1);
  });

  it('sql/mysql/sip_capture.sql runs as it is', async () => {
    await db.query('CREATE DATABASE IF NOT EXISTS `' + dbName + '_file`');
    try {
      await db.query('USE `' + dbName + '_file`');
      await db.query(readFileSync('sql/mysql/sip_capture.sql', 'utf8'));
      const n = await q(
        "SELECT count(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sip_capture'",
      );
      expect(Number(n[0].n)).toBe(COLUMNS.length + 2);
    } finally {
      await db.query('USE `' + dbName + '`');
      await db.query('DROP DATABASE `' + dbName + '_file`');
    }
  });
});

describe('collation', () => {
  /** A store on a database of its own, so that only the tables created here are there. */
  async function ownDatabase(
    suffix: string,
  ): Promise<{ url: string; s: Store; collation: (t: string) => Promise<string>; logged: () => string[] }> {
    const url = `${dbUrl}_${suffix}`;
    await db.query(`DROP DATABASE IF EXISTS \`${dbName}_${suffix}\``);
    await ensureDatabase(url);
    const collation = async (t: string) =>
      String(
        (
          await q('SELECT TABLE_COLLATION AS c FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
            `${dbName}_${suffix}`,
            t,
          ])
        )[0]?.c,
      );
    const { log, lines } = recordingLog();
    const s = await openStore(url, { log });
    stores.push(s);
    return { url, s, collation, logged: () => lines.map((l) => l.msg) };
  }

  it('a new database gets utf8mb4_general_ci tables, sip and report kinds alike', async () => {
    const { s, collation, logged } = await ownDatabase('gc');
    await s.ensureTable('sip_capture_20261201');
    await s.ensureTable('rtcp_capture', 'report');
    expect(await collation('sip_capture_20261201')).toBe('utf8mb4_general_ci');
    expect(await collation('rtcp_capture')).toBe('utf8mb4_general_ci');
    expect(logged()).toContain('created table sip_capture_20261201');
    await db.query(`DROP DATABASE \`${dbName}_gc\``);
  });

  it("the next day's table takes the collation of the capture tables already there, so the web reads both days at once", async () => {
    const { url, s, collation, logged } = await ownDatabase('uc');
    // A day written by an earlier sipcap, whose tables were utf8mb4_unicode_ci.
    await db.query(`USE \`${dbName}_uc\``);
    await db.query(mysqlCreateTable('sip_capture_20261201', { collation: 'utf8mb4_unicode_ci' })[0]);
    await db.query(`USE \`${dbName}\``);
    const callid = 'across-midnight@example.net';
    await storeRows(s, [
      { table: 'sip_capture_20261201', record: fullRecord({ callid, cseq: '1 INVITE', micro_ts: micros('2026-12-01T23:59:59.900Z') }) },
      { table: 'sip_capture_20261202', record: fullRecord({ callid, cseq: '2 ACK', micro_ts: micros('2026-12-02T00:00:00.100Z') }) },
    ]);
    // Two utf8mb4 collations under one UNION ALL is an error ("Illegal mix of collations"): the call
    // view would fail for every call that crosses midnight.
    const search = openSearchDb(url);
    try {
      const call = await new Searcher({ db: search, tableName: 'sip_capture_%Y%m%d' }).call(callid, {
        atMs: Date.parse('2026-12-02T00:00:00Z'),
      });
      expect(call?.messages.map((m) => m.cseq)).toEqual(['1 INVITE', '2 ACK']);
    } finally {
      await search.close();
    }
    expect(await collation('sip_capture_20261202')).toBe('utf8mb4_unicode_ci');
    expect(logged()).toContain('created table sip_capture_20261202 (utf8mb4_unicode_ci, as the capture tables there)');
    await db.query(`DROP DATABASE \`${dbName}_uc\``);
  });
});

describe('rows', () => {
  it('every column round-trips, date from micro_ts in UTC (whole seconds)', async () => {
    const s = await store();
    const r = fullRecord();
    expect((await storeRows(s, rows('cols', [r]))).perTable).toEqual(new Map([['cols', 1]]));
    const [back] = await readBack('cols');
    expect(back.date).toBe('2024-03-05 07:08:09');
    for (const [c, v] of Object.entries(expectedColumns(r, 'keep'))) expect(back[c], c).toBe(v);
    expect(Buffer.compare(back.msg as Buffer, r.msg)).toBe(0);
  });

  it('stores hostile header values, NUL and binary msg bytes exactly', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS x (id int)');
    await db.query('INSERT INTO x VALUES (1)');
    const s = await store();
    const records = [
      fullRecord({
        user_agent: HOSTILE.quotes,
        via_1: HOSTILE.backslashes,
        reason: HOSTILE.controls,
        callid: HOSTILE.injection,
        from_user: HOSTILE.unicode,
      }),
      fullRecord({ custom_field1: HOSTILE.nul, msg: BINARY_MSG }),
      fullRecord({ user_agent: HOSTILE.everyAscii, via_1: HOSTILE.everyAscii, diversion: HOSTILE.everyAscii }),
      fullRecord({ msg: Buffer.alloc(0) }),
    ];
    await storeRows(s, rows('hostile', records));
    const back = await readBack('hostile');
    records.forEach((r, i) => {
      for (const [c, v] of Object.entries(expectedColumns(r, 'keep'))) expect(back[i][c], `${i}.${c}`).toBe(v);
      expect(Buffer.compare(back[i].msg as Buffer, r.msg), `msg ${i}`).toBe(0);
    });
    expect(back[1].custom_field1).toBe('nul\0inside');
    expect(await count('x')).toBe(1);
  });

  it('the session setup removes NO_BACKSLASH_ESCAPES, which would make client-side escaping unsafe', async () => {
    const c = await mysql.createConnection({ uri: dbUrl });
    try {
      await c.query("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'");
      await c.query(MYSQL_SESSION_SETUP);
      const [r] = await c.query<mysql.RowDataPacket[]>('SELECT @@SESSION.sql_mode AS m, @@SESSION.time_zone AS tz');
      expect(r[0].m).toBe('STRICT_TRANS_TABLES');
      expect(r[0].tz).toBe('+00:00');
      // Under that setup, mysql2's escaping of a backslash-quote payload round-trips as data.
      const payload = "a\\'; DROP TABLE x; --";
      const [back] = await c.query<mysql.RowDataPacket[]>('SELECT ? AS v', [payload]);
      expect(back[0].v).toBe(payload);
    } finally {
      await c.end();
    }
  });

  it('splits a large batch into statements below max_allowed_packet', async () => {
    const s = await store();
    const big = Buffer.alloc(200_000, 0x41);
    const records = Array.from({ length: 120 }, (_, i) => fullRecord({ cseq: String(i), msg: big })); // ~48 MB as hex
    await storeRows(s, rows('big', records));
    expect(await count('big')).toBe(120);
  });
});

describe('offsets and exactly-once', () => {
  const group = 'db-writer';
  const topic = 'sip.capture';
  const at = (partition: number, offset: bigint) => ({
    partition,
    offset,
    table: 'eo_rows',
    record: fullRecord({ cseq: `${partition}:${offset}` }),
  });

  it('commits the offsets with the rows and reads them back', async () => {
    const s = await store();
    await s.writePositioned(group, topic, [at(0, 0n), at(0, 1n), at(3, 9007199254740992n)]);
    await s.writePositioned(group, topic, [at(0, 2n)]);
    expect(await count('eo_rows')).toBe(4);
    expect(await s.readOffsets(group, topic)).toEqual(
      new Map([
        [0, '3'],
        [3, '9007199254740993'],
      ]),
    );
    expect(await s.readOffsets(group, 'other')).toEqual(new Map());
  });

  it("two transactions lock disjoint partitions' offsets without waiting for each other; the same partition waits", async () => {
    const s = await store();
    await s.writePositioned(group, 'lock.topic', []); // creates the offsets table
    const [a, b] = await Promise.all([0, 1].map(() => mysql.createConnection({ uri: dbUrl })));
    const lock = (c: mysql.Connection, partitions: number[]) =>
      lockMysqlOffsets(c as mysql.PoolConnection, group, 'lock.topic', partitions);
    const all = Array.from({ length: 12 }, (_, i) => i);
    try {
      await lock(a, all); // the 12 rows exist, as they do once a writer has run
      await b.query('SET SESSION innodb_lock_wait_timeout = 1');
      await a.query('START TRANSACTION');
      await lock(
        a,
        all.filter((p) => p % 2 === 0),
      );
      await b.query('START TRANSACTION');
      // The other lane's partitions (a locking read of the whole (group, topic) prefix would wait here).
      expect(
        await lock(
          b,
          all.filter((p) => p % 2 === 1),
        ),
      ).toEqual(new Map(all.filter((p) => p % 2 === 1).map((p) => [p, 0n])));
      await expect(lock(b, [4])).rejects.toThrow(/Lock wait timeout/);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('a failure after the rows were sent leaves neither rows nor offsets', async () => {
    const s = await store({
      beforeCommit: () => {
        throw new Error('simulated crash before COMMIT');
      },
    });
    await expect(s.writePositioned(group, topic, [at(0, 3n), at(0, 4n)])).rejects.toBeInstanceOf(StoreError);
    expect(await count('eo_rows')).toBe(4);
    expect((await (await store()).readOffsets(group, topic)).get(0)).toBe('3');
  });

  it('a connection killed before COMMIT is retryable and nothing is visible', async () => {
    const s = await store({
      beforeCommit: async ({ connectionId }) => {
        await db.query('KILL CONNECTION ?', [connectionId]);
      },
    });
    const err = await s.writePositioned(group, topic, [at(0, 3n)]).catch((e: unknown) => e);
    expect((err as StoreError).kind).toBe('retryable');
    expect(await count('eo_rows')).toBe(4);
    // The store recovers on a new connection, and the same message is stored once.
    const ok = await store();
    expect((await ok.writePositioned(group, topic, [at(0, 3n)])).inserted).toBe(1);
    expect(await count('eo_rows')).toBe(5);
    expect((await ok.readOffsets(group, topic)).get(0)).toBe('4');
  });

  it('resetOffsets sets partitions back to 0 (a topic created again) and leaves the others', async () => {
    const s = await store();
    await s.resetOffsets(group, topic, [3]);
    expect(await s.readOffsets(group, topic)).toEqual(
      new Map([
        [0, '4'],
        [3, '0'],
      ]),
    );
  });
});

describe('writePositioned (skip what is stored)', () => {
  const pos = (table: string, partition: number, offset: number) => ({
    partition,
    offset: BigInt(offset),
    table,
    record: fullRecord({ cseq: `${partition}:${offset}` }),
  });

  it('stores a redelivered batch once and moves the offsets past it', async () => {
    const s = await store();
    const first = await s.writePositioned('pg', 'pt', [pos('wp', 0, 0), pos('wp', 0, 1), pos('wp', 2, 7)]);
    expect([first.inserted, first.skipped]).toEqual([3, 0]);
    const again = await s.writePositioned('pg', 'pt', [
      pos('wp', 0, 1),
      pos('wp', 0, 2),
      pos('wp', 2, 7),
      { partition: 2, offset: 8n, table: null, record: null },
    ]);
    expect([again.inserted, again.skipped]).toEqual([1, 2]);
    expect(await count('wp')).toBe(4);
    expect(await s.readOffsets('pg', 'pt')).toEqual(
      new Map([
        [0, '3'],
        [2, '9'],
      ]),
    );
  });

  it('stores a message once when it comes twice in one batch (a partition fetched again while buffered)', async () => {
    const s = await store();
    const batch = [pos('wp_twice', 3, 10), pos('wp_twice', 3, 11), pos('wp_twice', 3, 10), pos('wp_twice', 3, 11), pos('wp_twice', 3, 12)];
    const r = await s.writePositioned('twice', 'pt', batch);
    expect([r.inserted, r.skipped]).toEqual([3, 2]);
    expect(await count('wp_twice')).toBe(3);
    expect(await s.readOffsets('twice', 'pt')).toEqual(new Map([[3, '13']]));
  });

  it('two writers delivering the same messages concurrently store them once', async () => {
    const a = await store();
    const b = await store();
    await a.ensureTable('wp_race');
    await b.ensureTable('wp_race');
    const rowsOf = () => Array.from({ length: 50 }, (_, i) => pos('wp_race', i % 2, i));
    const [ra, rb] = await Promise.all([a.writePositioned('race', 'pt', rowsOf()), b.writePositioned('race', 'pt', rowsOf())]);
    expect(ra.inserted + rb.inserted).toBe(50);
    expect(ra.skipped + rb.skipped).toBe(50);
    expect(await count('wp_race')).toBe(50);
  });
});

describe('table names', () => {
  it('creates dated tables from the record time before the first insert', async () => {
    const s = await store();
    const router = new TableRouter({ tableName: 'dated_%Y%m%d' });
    const records = [fullRecord({ micro_ts: micros('2024-01-31T23:59:59Z') }), fullRecord({ micro_ts: micros('2024-02-01T00:00:01Z') })];
    const res = await storeRows(
      s,
      records.map((record) => ({ table: router.route(record), record })),
    );
    expect(Object.fromEntries(res.perTable)).toEqual({ dated_20240131: 1, dated_20240201: 1 });
    expect([await count('dated_20240131'), await count('dated_20240201')]).toEqual([1, 1]);
  });

  it('spreads rows over several tables with MT_MODE hash, one call per table', async () => {
    const s = await store();
    const h = new TableRouter({ tableName: 'mh_a|mh_b|mh_c', mode: 'hash', hashSource: 'call_id' });
    const calls = Array.from({ length: 60 }, (_, i) => fullRecord({ callid: `call-${i % 20}@example.com` }));
    await storeRows(
      s,
      calls.map((record) => ({ table: h.route(record), record })),
    );
    let total = 0;
    for (const t of ['mh_a', 'mh_b', 'mh_c']) {
      const r = await q(`SELECT callid, count(*) AS n FROM ${t} GROUP BY callid`);
      for (const row of r) expect(Number(row.n)).toBe(3);
      total += r.length;
    }
    expect(total).toBe(20);
  });
});

describe('DB_INSERT_MODE=1', () => {
  it('uses INSERT DELAYED on a MyISAM table', async () => {
    const delayedWrites = async () => Number((await q("SHOW GLOBAL STATUS LIKE 'Delayed_writes'"))[0].Value);
    const before = await delayedWrites();
    const { log, lines } = recordingLog();
    const s = await store({ insertMode: 'delayed', mysqlEngine: 'MyISAM', log });
    await storeRows(s, rows('delayed_myisam', [fullRecord(), fullRecord()]));
    await storeRows(s, rows('delayed_myisam', [fullRecord()]));
    expect(lines.filter((l) => l.msg.includes('INSERT DELAYED into delayed_myisam'))).toHaveLength(1);
    expect(
      await eventually(
        () => count('delayed_myisam'),
        (n) => n === 3,
      ),
    ).toBe(3);
    const engine = await q(
      "SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delayed_myisam'",
    );
    expect(engine[0].e).toBe('MyISAM');
    // The server counts the rows its delayed-insert handler wrote.
    expect((await delayedWrites()) - before).toBeGreaterThanOrEqual(3);
  });

  it('falls back to plain batched INSERT on InnoDB and says so once', async () => {
    const { log, lines } = recordingLog();
    const s = await store({ insertMode: 'delayed', log });
    for (let i = 0; i < 3; i++) await storeRows(s, rows('delayed_innodb', [fullRecord()]));
    expect(await count('delayed_innodb')).toBe(3);
    const warnings = lines.filter((l) => l.level === 'warn' && l.msg.includes('delayed_innodb'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toMatch(/InnoDB/);
  });
});

describe('the write path', () => {
  it('MariaDB takes the rows by bulk execute (its lanes then insert side by side) and says so', async () => {
    const { log, lines } = recordingLog();
    const s = await store({ log });
    await storeRows(s, rows('bulk_path', [fullRecord(), fullRecord({ msg: Buffer.alloc(300_000, 0x42) })]));
    expect(await count('bulk_path')).toBe(2);
    expect(lines.filter((l) => l.msg.includes('SIP rows go by')).map((l) => l.msg)).toEqual([
      expect.stringMatching(/MariaDB.*: SIP rows go by bulk execute \(COM_STMT_BULK_EXECUTE\)$/),
    ]);
  });

  it('a bulk write whose connection is killed midway, or is already closed, fails instead of waiting forever', async () => {
    const s = await store();
    await s.ensureTable('bulk_killed');
    expect(installBulkHandshake()).toBeUndefined();
    const c = await mysql.createConnection({ uri: dbUrl });
    expect(canBulkExecute(c)).toBe(true);
    const statement = await prepareOn(c, mariadbBulkStatement('bulk_killed'));
    const records = Array.from({ length: 20_000 }, (_, i) => fullRecord({ cseq: String(i) }));
    const commands = mariadbBulkCommands(statement, records, new CaptureDateText(), 1 << 20);
    await c.query('START TRANSACTION');
    const writing = bulkExecute(c, commands).catch((e: unknown) => e); // handled now: it may fail before the KILL returns
    await db.query(`KILL ${c.threadId}`);
    expect(await writing).toBeInstanceOf(Error);
    await expect(bulkExecute(c, commands.slice(0, 1))).rejects.toThrow();
    c.destroy();
    expect(await count('bulk_killed')).toBe(0);
  });
});

describe('refused rows', () => {
  it('isolates rows refused by a CHECK constraint and stores the rest with the offsets', async () => {
    const s = await store();
    await s.ensureTable('poison');
    await db.query("ALTER TABLE poison ADD CONSTRAINT no_poison CHECK (method <> 'POISON')");
    const records = Array.from({ length: 40 }, (_, i) =>
      fullRecord({ method: i === 0 || i === 23 ? 'POISON' : 'INVITE', cseq: String(i) }),
    );
    const err = await storeRows(s, rows('poison', records)).catch((e: unknown) => e);
    expect([(err as StoreError).kind, (err as StoreError).reason]).toEqual(['data', 'constraint']);
    expect(await count('poison')).toBe(0);

    const refused: number[] = [];
    const res = await s.writePositioned(
      'g',
      't',
      records.map((record, i) => ({ partition: 2, offset: BigInt(i), table: 'poison', record })),
      async (rejected) => {
        refused.push(...rejected.map((r) => Number(r.row.offset)));
      },
    );
    expect(refused.sort((x, y) => x - y)).toEqual([0, 23]);
    expect([res.inserted, res.rejected]).toEqual([38, 2]);
    const stored = await q('SELECT cseq FROM poison ORDER BY id');
    expect(stored.map((r) => Number(r.cseq))).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => i !== 0 && i !== 23));
    expect((await s.readOffsets('g', 't')).get(2)).toBe('40');
  });
});

describe('configuration and outages', () => {
  it('an unreachable server is retryable', async () => {
    const s = await openStore('mysql://root@127.0.0.1:1/x');
    stores.push(s);
    const err = await storeRows(s, rows('t', [sampleRecord()])).catch((e: unknown) => e);
    expect([(err as StoreError).kind, (err as StoreError).reason]).toEqual(['retryable', 'connection']);
  });
});
