// Retention of dated tables (TABLE_NAME=sip_capture_%Y%m%d, as HOMER 5 and Kamailio setups keep data) on
// PostgreSQL and MariaDB: expired days dropped, today and the future never, other tables never; per
// template days (DB_RETENTION_TABLES); one runner at a time (a lock in the database); and a running
// db-writer applying it at start.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEXED_COLUMNS, quoteMysql, quotePg } from '@sipcap/schema';
import { MYSQL_RETENTION_LOCK, openStore, PG_RETENTION_LOCK, RetentionPlan, type Store } from '@sipcap/store';
import { buildApp, type AgentProcess } from './support/agent-process';
import { fullRecord, storeRows } from './store-fixtures';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { Feeder, startWriter, TestDb } from './support/writer-fixtures';

const DAY_MS = 86_400_000;
const now = Date.now();
const today = Math.floor(now / DAY_MS);
const dayName = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '');
const CALLS = 'sip_capture_%Y%m%d';
const REGS = 'sip_capture_registration_%Y%m%d';

const databases: TestDb[] = [];
const stores: Store[] = [];
const processes: AgentProcess[] = [];

beforeAll(() => buildApp('db-writer'));
afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null) await p.stop();
  for (const s of stores) await s.close().catch(() => undefined);
  for (const db of databases) await db.drop().catch(() => undefined);
});

async function tablesOf(db: TestDb): Promise<string[]> {
  const rows =
    db.dialect === 'postgres'
      ? await db.query<{ t: string }>(
          "SELECT relname AS t FROM pg_class WHERE relkind IN ('r','p') AND NOT relispartition AND relnamespace = 'public'::regnamespace",
        )
      : await db.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE()');
  return rows
    .map((r) => r.t)
    .filter((t) => t !== 'sipcap_offsets')
    .sort();
}

/** Holds the retention lock from another session while `fn` runs. */
async function whileLocked<T>(db: TestDb, fn: () => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('SELECT pg_advisory_lock($1, $2)', [...PG_RETENTION_LOCK]);
    try {
      return await fn();
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, $2)', [...PG_RETENTION_LOCK]);
      await c.end();
    }
  }
  const c = await mysql.createConnection({ uri: db.url });
  // The lock of this database, as the store names it (an expression of DATABASE()).
  await c.query(`SELECT GET_LOCK(${MYSQL_RETENTION_LOCK}, 5)`);
  try {
    return await fn();
  } finally {
    await c.query(`SELECT RELEASE_LOCK(${MYSQL_RETENTION_LOCK})`);
    await c.end();
  }
}

describe.each(['postgres', 'mysql'] as const)('dated-table retention on %s', (dialect) => {
  it('drops expired days of each template after its own retention, keeps today, the future and other tables', async () => {
    const db = await new TestDb(dialect).create();
    databases.push(db);
    const plan = new RetentionPlan({ defaultDays: 5, templates: [CALLS, REGS, 'rtcp_capture'], overrides: [{ template: REGS, days: 2 }] });
    const store = await openStore(db.url, { retention: plan });
    stores.push(store);
    const days = [-40, -6, -5, -3, -2, -1, 0, 1];
    for (const d of days) {
      await store.ensureTable(`sip_capture_${dayName(today + d)}`);
      await store.ensureTable(`sip_capture_registration_${dayName(today + d)}`);
    }
    for (const other of ['sip_capture', `sip_capture_${dayName(today - 40)}_old`, `other_${dayName(today - 40)}`, 'rtcp_capture'])
      await store.ensureTable(other);
    const before = await tablesOf(db);

    const blocked = await whileLocked(db, () => store.applyRetention(new Date(now)));
    expect(blocked).toEqual({ locked: false, dropped: [], defaultRowsDeleted: 0 });
    expect(await tablesOf(db)).toEqual(before);

    const res = await store.applyRetention(new Date(now));
    expect(res.locked).toBe(true);
    // 5 days: a day is expired once all of it lies before now - 5 days (so today-6 and older; today-5 partly not).
    const expired = [
      ...[-40, -6].map((d) => `sip_capture_${dayName(today + d)}`),
      ...[-40, -6, -5, -3].map((d) => `sip_capture_registration_${dayName(today + d)}`),
    ];
    expect(res.dropped.sort()).toEqual(expired.sort());
    expect(await tablesOf(db)).toEqual(before.filter((t) => !expired.includes(t)));
    // A second run finds nothing more.
    expect((await store.applyRetention(new Date(now))).dropped).toEqual([]);
  });

  it('a running db-writer applies DB_RETENTION_DAYS and DB_RETENTION_TABLES at start and counts what it dropped', async () => {
    const db = await new TestDb(dialect).create();
    databases.push(db);
    const seed = await openStore(db.url);
    for (const d of [-9, -4, 0]) await seed.ensureTable(`sip_capture_${dayName(today + d)}`);
    await seed.ensureTable(`rtcp_capture_${dayName(today - 9)}`);
    await seed.close();
    const topic = await freshTopic(2, 'retention');
    const writer = startWriter(db, topic, uniqueName('g-ret'), {
      TABLE_NAME: CALLS,
      RTCP_TABLE_NAME: 'rtcp_capture_%Y%m%d',
      DB_RETENTION_DAYS: '3',
      DB_RETENTION_TABLES: 'rtcp_capture_%Y%m%d=30',
    });
    processes.push(writer);
    await writer.waitForLog('retention: dropped expired', 60_000);
    const tables = await tablesOf(db);
    expect(tables).not.toContain(`sip_capture_${dayName(today - 9)}`);
    expect(tables).not.toContain(`sip_capture_${dayName(today - 4)}`);
    expect(tables).toContain(`sip_capture_${dayName(today)}`);
    expect(tables).toContain(`rtcp_capture_${dayName(today - 9)}`); // keeps 30 days
    expect(await writer.metric('sipcap_retention_dropped_total')).toBe(2);
    expect(await writer.metric('sipcap_retention_runs_total', '{result="done"}')).toBe(1);
  });
});

describe.each(['postgres', 'mysql'] as const)('a retention runner killed mid-drop on %s', (dialect) => {
  /** Whether a table is whole: it reads, and has its primary key and Kamailio's 8 indexes. */
  async function isWhole(db: TestDb, table: string): Promise<boolean> {
    await db.query(`SELECT count(*) AS n FROM ${db.dialect === 'postgres' ? quotePg(table) : quoteMysql(table)}`);
    const idx =
      db.dialect === 'postgres'
        ? await db.query<{ n: string }>('SELECT count(*) AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1', [
            table,
          ])
        : await db.query<{ n: string }>(
            'SELECT count(DISTINCT INDEX_NAME) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
            [table],
          );
    return Number(idx[0].n) === INDEXED_COLUMNS.length + 1;
  }

  it('leaves every table whole or gone, releases the lock, and the next run drops the rest', async () => {
    const db = await new TestDb(dialect).create();
    databases.push(db);
    const seed = await openStore(db.url);
    stores.push(seed);
    // Many expired days, so the runner is still dropping when it is killed.
    const expired = Array.from({ length: 120 }, (_, i) => `sip_capture_${dayName(today - 10 - i)}`);
    const kept = [`sip_capture_${dayName(today)}`, `sip_capture_${dayName(today - 1)}`, 'sip_capture'];
    for (const t of [...expired, ...kept]) await seed.ensureTable(t);
    await storeRows(
      seed,
      [...expired, ...kept].map((table, i) => ({ table, record: fullRecord({ callid: `kill-${i}` }) })),
    );

    const topic = await freshTopic(1, 'retkill');
    const writer = startWriter(db, topic, uniqueName('g-retkill'), { TABLE_NAME: CALLS, DB_RETENTION_DAYS: '3' });
    processes.push(writer);
    await writer.waitForLog('retention: dropped', 60_000);
    writer.child.kill('SIGKILL');
    expect((await writer.exited).signal).toBe('SIGKILL');

    const after = await tablesOf(db);
    const left = expired.filter((t) => after.includes(t));
    // Killed in the middle: some days gone, some not (else the test would not have tested anything).
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(expired.length);
    for (const t of [...left, ...kept]) expect(await isWhole(db, t), t).toBe(true);
    if (dialect === 'mysql') {
      // No InnoDB table without its SQL table (a half-done DROP would leave one, or a #sql- leftover).
      const orphans = await db.query<{ name: string }>(
        "SELECT NAME AS name FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE CONCAT(DATABASE(), '/%') AND SUBSTRING_INDEX(NAME, '/', -1) NOT IN (SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE())",
      );
      expect(orphans).toEqual([]);
    }

    // The lock went with the killed session: a new runner gets it (the server may take a moment to notice).
    const plan = new RetentionPlan({ defaultDays: 3, templates: [CALLS] });
    const next = await openStore(db.url, { retention: plan });
    stores.push(next);
    const res = await waitFor(
      'the retention lock',
      async () => {
        const r = await next.applyRetention(new Date(now));
        return r.locked ? r : undefined;
      },
      20_000,
      200,
    );
    expect(res.dropped.sort()).toEqual(left.sort());
    const final = await tablesOf(db);
    expect(final.filter((t) => expired.includes(t))).toEqual([]);
    for (const t of kept) expect(final).toContain(t);
  });
});

describe('MySQL/MariaDB day partitions (DB_PARTITION=day, HOMER 5 layout)', () => {
  const at = (day: number, hour = 12) => BigInt(day * DAY_MS + hour * 3_600_000) * 1000n;

  async function partitionsOf(db: TestDb, table: string): Promise<{ p: string; rows: number }[]> {
    const r = await db.query<{ p: string; n: string | number }>(
      'SELECT PARTITION_NAME AS p, TABLE_ROWS AS n FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION',
      [table],
    );
    return r.map((x) => ({ p: x.p, rows: Number(x.n) }));
  }
  const pname = (d: number) => `p${dayName(d)}`;

  it('creates today and the days ahead, keeps rows of every day, drops expired days under the lock', async () => {
    const db = await new TestDb('mysql').create();
    databases.push(db);
    const store = await openStore(db.url, { partition: 'day', partitionAheadDays: 2, retentionDays: 3 });
    stores.push(store);
    await store.ensureTable('sip_capture');
    expect((await partitionsOf(db, 'sip_capture')).map((x) => x.p)).toEqual([pname(today), pname(today + 1), pname(today + 2), 'pmax']);
    const pk = await db.query<{ c: string }>(
      "SELECT COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sip_capture' AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
    );
    expect(pk.map((x) => x.c)).toEqual(['id', 'date']);

    const records = [
      fullRecord({ micro_ts: at(today), callid: 'today' }),
      fullRecord({ micro_ts: at(today - 1), callid: 'yesterday' }),
      fullRecord({ micro_ts: at(today + 2), callid: 'ahead' }),
      fullRecord({ micro_ts: at(today + 30), callid: 'future' }),
    ];
    await storeRows(
      store,
      records.map((record) => ({ table: 'sip_capture', record })),
    );
    const where = await db.query<{ callid: string; p: string }>(
      `SELECT callid, (SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'sip_capture' AND PARTITION_DESCRIPTION <> 'MAXVALUE' AND TO_DAYS(s.date) < CAST(PARTITION_DESCRIPTION AS SIGNED) ORDER BY PARTITION_ORDINAL_POSITION LIMIT 1) AS p FROM sip_capture s`,
    );
    expect(Object.fromEntries(where.map((x) => [x.callid, x.p ?? 'pmax']))).toEqual({
      today: pname(today),
      yesterday: pname(today),
      ahead: pname(today + 2),
      future: 'pmax',
    });

    const later = new Date((today + 5) * DAY_MS + 6 * 3_600_000); // cutoff today+2 06:00
    expect(await whileLocked(db, () => store.applyRetention(later))).toEqual({ locked: false, dropped: [], defaultRowsDeleted: 0 });
    const res = await store.applyRetention(later);
    expect(res.dropped).toEqual([`sip_capture#${pname(today)}`, `sip_capture#${pname(today + 1)}`]);
    expect((await partitionsOf(db, 'sip_capture')).map((x) => x.p)).toEqual([pname(today + 2), 'pmax']);
    const left = await db.query<{ callid: string }>('SELECT callid FROM sip_capture ORDER BY callid');
    expect(left.map((x) => x.callid)).toEqual(['ahead', 'future']);
  });

  it('a running db-writer stores into day-partitioned MariaDB tables (SIP and reports)', async () => {
    const db = await new TestDb('mysql').create();
    databases.push(db);
    const topic = await freshTopic(2, 'mypart');
    const writer = startWriter(db, topic, uniqueName('g-mypart'), { DB_PARTITION: 'day', DB_RETENTION_DAYS: '7' });
    processes.push(writer);
    await writer.waitForLog('db-writer consuming', 60_000);
    for (const t of ['sip_capture', 'rtcp_capture', 'report_capture', 'logs_capture']) {
      expect(
        (await partitionsOf(db, t)).map((x) => x.p),
        t,
      ).toEqual([0, 1, 2, 3].map((i) => pname(today + i)).concat('pmax'));
    }
    const feeder = new Feeder(topic);
    try {
      await feeder.feed(uniqueName('mypart'), 500);
    } finally {
      await feeder.stop();
    }
    await waitFor('500 rows', async () => ((await db.counts()).callids >= 500 ? true : undefined), 60_000, 250);
    expect((await db.counts()).rows).toBe(500);
  });
});
