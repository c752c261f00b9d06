import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { buildRecord, COLUMNS, decodeRecord, encodeRecord, readRecord, sampleRecord, type CaptureRecord } from '@sipcap/record';
import { parseSip } from '@sipcap/sip';
import {
  dayPartitionName,
  defaultPartitionName,
  ensureDatabase,
  ensureSchema,
  openStore,
  PG_RETENTION_LOCK,
  StoreError,
  TableRouter,
  type BatchRow,
  type Store,
  type StoreOptions,
} from '@sipcap/store';
import { BINARY_MSG, expectedColumns, fullRecord, HOSTILE, micros, recordingLog, testDatabaseName, storeRows } from './store-fixtures';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
const dbName = testDatabaseName();
const dbUrl = `${SERVER}/${dbName}`;
const DAY_MS = 86_400_000;

let admin: pg.Client;
let db: pg.Client;
const stores: Store[] = [];

async function store(opts: StoreOptions = {}): Promise<Store> {
  const s = await openStore(dbUrl, opts);
  stores.push(s);
  return s;
}

const rows = (table: string, records: CaptureRecord[]): BatchRow[] => records.map((record) => ({ table, record }));

async function count(table: string): Promise<number> {
  const r = await db.query(`SELECT count(*)::int AS n FROM "${table}"`);
  return r.rows[0].n;
}

/** Every column as text, plus the exact msg bytes. */
async function readBack(table: string, where = 'true'): Promise<Record<string, unknown>[]> {
  const cols = ['date', ...COLUMNS.filter((c) => c !== 'msg')].map((c) => `"${c}"::text AS "${c}"`).join(', ');
  const r = await db.query(
    `SELECT ${cols}, msg, msg_raw, coalesce(msg_raw, convert_to(msg, 'UTF8')) AS msg_bytes FROM "${table}" WHERE ${where} ORDER BY id`,
  );
  return r.rows;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  expect(await ensureDatabase(dbUrl)).toBe(true);
  expect(await ensureDatabase(dbUrl)).toBe(false);
  db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
});

afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await admin?.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin?.end();
});

describe('schema', () => {
  it('ensureSchema creates sip_capture with its indexes and the offsets table', async () => {
    const s = await store();
    expect(await ensureSchema(s, 'sip_capture')).toEqual(['sip_capture']);
    const cols = await db.query(
      "SELECT column_name, data_type, character_maximum_length AS len FROM information_schema.columns WHERE table_name = 'sip_capture' ORDER BY ordinal_position",
    );
    expect(cols.rows.map((c) => c.column_name)).toEqual(['id', 'date', ...COLUMNS, 'msg_raw']);
    expect(cols.rows.find((c) => c.column_name === 'date').data_type).toBe('timestamp without time zone');
    expect(cols.rows.find((c) => c.column_name === 'msg').data_type).toBe('text');
    expect(cols.rows.find((c) => c.column_name === 'callid').len).toBe(120);
    const idx = await db.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'sip_capture'");
    for (const c of ['date', 'callid', 'callid_aleg', 'ruri_user', 'from_user', 'to_user', 'pid_user', 'auth_user']) {
      expect(
        idx.rows.some((r) => r.indexdef.endsWith(`("${c}")`) || r.indexdef.endsWith(`(${c})`)),
        c,
      ).toBe(true);
    }
    const off = await db.query("SELECT to_regclass('sipcap_offsets') IS NOT NULL AS ok");
    expect(off.rows[0].ok).toBe(true);
  });

  it.each(['sql/postgres/sip_capture.sql', 'sql/postgres/sip_capture_partitioned.sql'])(
    '%s runs as it is in an empty schema',
    async (file) => {
      const schema = file.includes('partitioned') ? 'sqlfile_part' : 'sqlfile_plain';
      await db.query(`CREATE SCHEMA ${schema}`);
      await db.query(`SET search_path TO ${schema}`);
      try {
        await db.query(readFileSync(file, 'utf8'));
        const r = await db.query(
          `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = 'sip_capture'`,
        );
        expect(r.rows[0].n).toBe(COLUMNS.length + 3);
      } finally {
        await db.query('SET search_path TO public');
      }
    },
  );

  it('adds msg_raw to a Kamailio table that lacks it, once', async () => {
    await db.query('CREATE TABLE kamailio_cap (id serial primary key, date timestamp NOT NULL)');
    for (const c of COLUMNS) {
      if (c !== 'msg')
        await db.query(
          `ALTER TABLE kamailio_cap ADD COLUMN "${c}" ${c === 'micro_ts' ? 'bigint' : ['source_port', 'destination_port', 'contact_port', 'originator_port', 'expires', 'proto', 'family', 'type'].includes(c) ? 'int' : 'varchar(256)'} NOT NULL`,
        );
    }
    await db.query('ALTER TABLE kamailio_cap ADD COLUMN msg text NOT NULL');
    const { log, lines } = recordingLog();
    const s = await store({ log });
    await storeRows(s, rows('kamailio_cap', [fullRecord({ msg: BINARY_MSG })]));
    await storeRows(s, rows('kamailio_cap', [fullRecord()]));
    expect(lines.filter((l) => l.msg.includes('msg_raw'))).toHaveLength(1);
    const back = await readBack('kamailio_cap');
    expect(Buffer.compare(back[0].msg_bytes as Buffer, BINARY_MSG)).toBe(0);
    // Its types fit COPY's binary values: no word of the text format.
    expect(lines.filter((l) => l.msg.includes('text format'))).toHaveLength(0);
  });

  it('writes a table whose column types differ from its schema through the text format, and says so', async () => {
    await db.query('CREATE TABLE other_types (LIKE sip_capture INCLUDING DEFAULTS)');
    await db.query('ALTER TABLE other_types ALTER COLUMN source_port TYPE bigint, ALTER COLUMN proto TYPE smallint');
    const { log, lines } = recordingLog();
    const s = await store({ log });
    const r = fullRecord({ proto: 17 });
    await storeRows(s, rows('other_types', [r]));
    expect(lines.filter((l) => l.msg.includes('text format'))).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/other_types: column types differ .*source_port bigint, proto smallint/) }),
    ]);
    const back = await db.query(
      "SELECT proto, source_port::int AS source_port, callid, to_char(date, 'YYYY-MM-DD HH24:MI:SS.US') AS date FROM other_types",
    );
    expect(back.rows).toEqual([{ proto: 17, source_port: r.source_port, callid: r.callid, date: '2024-03-05 07:08:09.123456' }]);
  });
});

describe.each(['copy', 'copy-text', 'insert'] as const)('rows through %s', (pgMethod) => {
  const table = `cols_${pgMethod.replace('-', '_')}`;
  const hostile = `hostile_${pgMethod.replace('-', '_')}`;

  it('every column round-trips, date from micro_ts in UTC', async () => {
    const s = await store({ pgMethod });
    const r = fullRecord();
    const res = await storeRows(s, rows(table, [r]));
    expect([res.inserted, res.perTable]).toEqual([1, new Map([[table, 1]])]);
    const [back] = await readBack(table);
    expect(back.date).toBe('2024-03-05 07:08:09.123456');
    for (const [c, v] of Object.entries(expectedColumns(r, 'keep'))) expect(back[c], c).toBe(v);
    expect(back.msg).toBe(r.msg.toString('utf8'));
    expect(back.msg_raw).toBeNull();
  });

  it('stores hostile header values and binary msg bytes exactly', async () => {
    await db.query('CREATE TABLE IF NOT EXISTS x (id int)');
    await db.query('INSERT INTO x SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM x)');
    const s = await store({ pgMethod });
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
      fullRecord({ msg: Buffer.from('MESSAGE sip:x SIP/2.0\r\nSubject: \\N\t😀 tab\r\n\r\n\\.\n') }),
      fullRecord({ msg: Buffer.alloc(0) }),
    ];
    await storeRows(s, rows(hostile, records));
    const back = await readBack(hostile);
    expect(back).toHaveLength(records.length);
    records.forEach((r, i) => {
      // PostgreSQL text cannot hold NUL: header values carry U+FFFD there (msg keeps exact bytes via msg_raw).
      for (const [c, v] of Object.entries(expectedColumns(r, 'replace'))) expect(back[i][c], `${i}.${c}`).toBe(v);
      expect(Buffer.compare(back[i].msg_bytes as Buffer, r.msg), `msg ${i}`).toBe(0);
    });
    expect(back[1].custom_field1).toBe('nul\uFFFDinside');
    expect(back[1].msg_raw).not.toBeNull();
    expect(back[1].msg).toContain('MESSAGE sip:x@y SIP/2.0');
    expect(back[2].msg_raw).toBeNull();
    // The injection string names table x: it exists and is untouched.
    expect(await count('x')).toBe(1);
  });

  it('stores records read from their Kafka values (columns copied as bytes) as their decoded values', async () => {
    const s = await store({ pgMethod });
    const msg = Buffer.from(
      'INVITE sip:+15551234@voip.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.2:5060;branch=z9hG4bK-1\r\n' +
        'From: "Al\\"ice" <sip:alice@voip.example.com>;tag=a1\r\nTo: <sip:+15551234@voip.example.com>\r\nCall-ID: c1@host\r\n' +
        "CSeq: 1 INVITE\r\nUser-Agent: O'Brien\\phone\r\nContent-Length: 0\r\n\r\n",
    );
    const parsed = parseSip(msg);
    if (!parsed.ok) throw new Error(parsed.message);
    const built = buildRecord(
      {
        sip: parsed.sip,
        srcIp: '192.0.2.1',
        srcPort: 5060,
        dstIp: '10.0.0.5',
        dstPort: 5070,
        family: 2,
        proto: 1,
        microTs: micros('2024-03-05T07:08:09.123456Z'),
        msg,
      },
      { captureNode: 'n1', callidAlegHeaders: [], customHeaders: [] },
    );
    const sources = [
      built, // version 3: most columns refer to bytes of msg
      fullRecord({ user_agent: HOSTILE.quotes, via_1: HOSTILE.backslashes, reason: HOSTILE.controls, from_user: HOSTILE.unicode }),
      fullRecord({ custom_field1: HOSTILE.nul, msg: BINARY_MSG }),
      fullRecord({ diversion: HOSTILE.everyAscii }),
    ];
    const values = sources.map((r) => Buffer.from(encodeRecord(r)));
    const read = values.map((v) => {
      const d = readRecord(v);
      if (!d.ok) throw new Error(d.message);
      return d.record;
    });
    const table = `read_${pgMethod.replace('-', '_')}`;
    await storeRows(s, rows(table, read));
    const back = await readBack(table);
    expect(back).toHaveLength(sources.length);
    values.forEach((v, i) => {
      const d = decodeRecord(v);
      if (!d.ok) throw new Error(d.message);
      for (const [c, want] of Object.entries(expectedColumns(d.record, 'replace'))) expect(back[i][c], `${i}.${c}`).toBe(want);
      expect(Buffer.compare(back[i].msg_bytes as Buffer, sources[i].msg), `msg ${i}`).toBe(0);
    });
    expect(back[0].callid).toBe('c1@host');
    expect(back[2].custom_field1).toBe('nul\uFFFDinside');
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
        await admin.query('SELECT pg_terminate_backend($1)', [connectionId]);
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
    expect(await count('dated_20240131')).toBe(1);
    expect(await count('dated_20240201')).toBe(1);
  });

  it('spreads rows over several tables with MT_MODE and keeps a call in one table with hash', async () => {
    const s = await store();
    const rr = new TableRouter({ tableName: 'mt_a|mt_b|mt_c', mode: 'round_robin' });
    const records = Array.from({ length: 9 }, (_, i) => fullRecord({ callid: `call-${i % 3}@x` }));
    await storeRows(
      s,
      records.map((record) => ({ table: rr.route(record), record })),
    );
    expect([await count('mt_a'), await count('mt_b'), await count('mt_c')]).toEqual([3, 3, 3]);

    const h = new TableRouter({ tableName: 'mh_a|mh_b|mh_c', mode: 'hash', hashSource: 'call_id' });
    const calls = Array.from({ length: 60 }, (_, i) => fullRecord({ callid: `call-${i % 20}@example.com` }));
    await storeRows(
      s,
      calls.map((record) => ({ table: h.route(record), record })),
    );
    let total = 0;
    for (const t of ['mh_a', 'mh_b', 'mh_c']) {
      const r = await db.query(`SELECT callid, count(*)::int AS n FROM ${t} GROUP BY callid`);
      for (const row of r.rows) expect(row.n, `${t} ${row.callid}`).toBe(3);
      total += r.rows.length;
    }
    expect(total).toBe(20);
  });

  it('creates a table again when it was dropped behind the store', async () => {
    const s = await store();
    await storeRows(s, rows('dropped_t', [fullRecord()]));
    await db.query('DROP TABLE dropped_t');
    const err = await storeRows(s, rows('dropped_t', [fullRecord()])).catch((e: unknown) => e);
    expect((err as StoreError).kind).toBe('retryable');
    await storeRows(s, rows('dropped_t', [fullRecord()]));
    expect(await count('dropped_t')).toBe(1);
  });
});

describe('day partitions', () => {
  const table = 'parted';
  const now = Date.now();
  const today = Math.floor(now / DAY_MS);
  const at = (day: number, hour = 12) => BigInt(day * DAY_MS + hour * 3_600_000) * 1000n;

  async function partitions(): Promise<string[]> {
    const r = await db.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${table}'::regclass ORDER BY 1`,
    );
    return r.rows.map((x) => x.relname);
  }

  it('creates the table partitioned by date with a default partition and the days ahead', async () => {
    const s = await store({ partition: 'day', partitionAheadDays: 2, retentionDays: 3 });
    await s.ensureTable(table);
    const kind = await db.query(`SELECT relkind FROM pg_class WHERE oid = '${table}'::regclass`);
    expect(kind.rows[0].relkind).toBe('p');
    expect(await partitions()).toEqual([defaultPartitionName(table), ...[0, 1, 2].map((i) => dayPartitionName(table, today + i))].sort());
    const pk = await db.query(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = '${table}'::regclass AND contype = 'p'`,
    );
    expect(pk.rows[0].def).toBe('PRIMARY KEY (id, date)');
  });

  it('routes rows to their day, creates a missing day on demand, sends far dates to the default partition', async () => {
    const s = await store({ partition: 'day', partitionAheadDays: 2, retentionDays: 3 });
    const records = [
      fullRecord({ micro_ts: at(today), callid: 'today' }),
      fullRecord({ micro_ts: at(today - 1), callid: 'yesterday' }),
      fullRecord({ micro_ts: micros('2001-09-09T01:46:40Z'), callid: 'old' }),
      fullRecord({ micro_ts: at(today + 30), callid: 'future' }),
    ];
    await storeRows(s, rows(table, records));
    const r = await db.query(`SELECT callid, tableoid::regclass::text AS part FROM ${table}`);
    const where = Object.fromEntries(r.rows.map((x) => [x.callid, x.part]));
    expect(where).toEqual({
      today: dayPartitionName(table, today),
      yesterday: dayPartitionName(table, today - 1),
      old: defaultPartitionName(table),
      future: defaultPartitionName(table),
    });
  });

  it('drops expired day partitions under an advisory lock, one writer at a time', async () => {
    const s = await store({ partition: 'day', partitionAheadDays: 2, retentionDays: 3 });
    await s.ensureTable(table);
    const later = new Date((today + 5) * DAY_MS + 6 * 3_600_000); // cutoff: today+2 06:00

    // Advisory locks are per database: another session of the same database holds it.
    await db.query('SELECT pg_advisory_lock($1, $2)', [...PG_RETENTION_LOCK]);
    const blocked = await s.applyRetention(later);
    await db.query('SELECT pg_advisory_unlock($1, $2)', [...PG_RETENTION_LOCK]);
    expect(blocked).toEqual({ locked: false, dropped: [], defaultRowsDeleted: 0 });
    expect(await partitions()).toContain(dayPartitionName(table, today - 1));

    const res = await s.applyRetention(later);
    expect(res.locked).toBe(true);
    expect(res.dropped.sort()).toEqual([today - 1, today, today + 1].map((d) => dayPartitionName(table, d)).sort());
    expect(res.defaultRowsDeleted).toBe(1); // the 2001 row; the future row is kept
    expect(await partitions()).toEqual([defaultPartitionName(table), dayPartitionName(table, today + 2)].sort());
    const left = await db.query(`SELECT callid FROM ${table} ORDER BY callid`);
    expect(left.rows.map((x) => x.callid)).toEqual(['future']);
  });
});

describe('refused rows', () => {
  /** Writes rows as messages 0..n-1 of a partition, handing refused ones to a list (the writer's dead letters). */
  async function writeKeeping(s: Store, table: string, records: CaptureRecord[], partition = 1) {
    const refused: { offset: number; reason: string }[] = [];
    const rowsAt = records.map((record, i) => ({ partition, offset: BigInt(i), table, record }));
    const res = await s.writePositioned('g', table, rowsAt, async (rejected) => {
      refused.push(...rejected.map((r) => ({ offset: Number(r.row.offset), reason: r.error.reason })));
    });
    return { res, refused: refused.sort((x, y) => x.offset - y.offset) };
  }

  it('classifies a data error, and isolation stores every other row with the offsets', async () => {
    const s = await store();
    await s.ensureTable('poison');
    await db.query("ALTER TABLE poison ADD CONSTRAINT no_poison CHECK (method <> 'POISON')");
    const records = Array.from({ length: 50 }, (_, i) =>
      fullRecord({ method: i === 7 || i === 31 ? 'POISON' : 'INVITE', cseq: String(i) }),
    );
    records[44] = fullRecord({ source_port: NaN, cseq: '44' }); // refused before reaching the server
    const err = await storeRows(s, rows('poison', records)).catch((e: unknown) => e);
    expect([(err as StoreError).kind, (err as StoreError).reason]).toEqual(['data', 'bad_row']);
    const dbErr = await storeRows(
      s,
      rows(
        'poison',
        records.filter((_, i) => i !== 44),
      ),
    ).catch((e: unknown) => e);
    expect([(dbErr as StoreError).kind, (dbErr as StoreError).reason]).toEqual(['data', 'constraint']);
    expect(await count('poison')).toBe(0);

    const { res, refused } = await writeKeeping(s, 'poison', records);
    expect(refused).toEqual([
      { offset: 7, reason: 'constraint' },
      { offset: 31, reason: 'constraint' },
      { offset: 44, reason: 'bad_row' },
    ]);
    expect([res.inserted, res.rejected, res.perTable]).toEqual([47, 3, new Map([['poison', 47]])]);
    const stored = await db.query('SELECT cseq FROM poison ORDER BY id');
    expect(stored.rows.map((r) => Number(r.cseq))).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => ![7, 31, 44].includes(i)));
    expect((await s.readOffsets('g', 'poison')).get(1)).toBe('50');
  });

  it('a value too long is a data error and is isolated', async () => {
    const s = await store();
    const res = await storeRows(s, rows('too_long', [fullRecord({ method: 'X'.repeat(51) })])).catch((e: unknown) => e);
    expect([(res as StoreError).kind, (res as StoreError).reason]).toEqual(['data', 'value_too_long']);
    const { refused } = await writeKeeping(s, 'too_long', [fullRecord(), fullRecord({ method: 'X'.repeat(51) })]);
    expect(refused).toEqual([{ offset: 1, reason: 'value_too_long' }]);
    expect(await count('too_long')).toBe(1);
  });
});

describe('configuration and outages', () => {
  it('rejects a DB_URL of another scheme', async () => {
    await expect(openStore('redis://127.0.0.1:6379/0')).rejects.toThrow(/DB_URL/);
  });

  it('an unreachable server is retryable', async () => {
    const s = await openStore('postgres://postgres@127.0.0.1:1/x');
    stores.push(s);
    const err = await storeRows(s, rows('t', [sampleRecord()])).catch((e: unknown) => e);
    expect([(err as StoreError).kind, (err as StoreError).reason]).toEqual(['retryable', 'connection']);
  });
});
