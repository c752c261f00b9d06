// The disk guard against a database whose disk really fills: a private PostgreSQL whose test database
// lives in a tablespace on a 64 MiB tmpfs (mounted here; the tests run as root). The server's own files
// and its WAL stay on the ordinary disk, as when pg_wal has a volume of its own: what fills is the data
// volume, and PostgreSQL refuses the writes with SQLSTATE 53100 instead of stopping. A ballast file
// takes most of the tmpfs so it fills within seconds; removing it is the operator freeing space.
import { execFile } from 'node:child_process';
import { chownSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AgentProcess } from './support/agent-process';
import { freeTcpUdpPort, healthStatus, sleep } from './support/apps';
import { databaseSize } from '@sipcap/store';
import { freshTopic, uniqueName, waitFor } from './support/kafka';
import { PrivateMariadb } from './support/private-mariadb';
import { PrivatePostgres } from './support/private-postgres';
import { Feeder, startWriter, TestDb } from './support/writer-fixtures';

const run = promisify(execFile);

const servers: PrivatePostgres[] = [];
const mariadbs: PrivateMariadb[] = [];
const mounts: string[] = [];
const processes: AgentProcess[] = [];
const feeders: Feeder[] = [];
const databases: TestDb[] = [];

/** Free bytes on the filesystem holding `dir`. */
function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** Writes a file of `bytes` zeros (1 MiB at a time) that the tmpfs must hold. */
function writeBallast(file: string, bytes: number): void {
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(file, 'w');
  try {
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  } finally {
    closeSync(fd);
  }
}

beforeAll(() => {
  buildApp('db-writer');
});

afterAll(async () => {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
  for (const f of feeders) await f.stop().catch(() => undefined);
  for (const db of databases) await db.drop().catch(() => undefined);
  for (const s of servers) await s.destroy();
  for (const s of mariadbs) await s.destroy();
  for (const dir of mounts) {
    await run('umount', ['-l', dir]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A private PostgreSQL whose test database lives in a tablespace on a fresh 64 MiB tmpfs (the server's
 * own files and WAL stay on the ordinary disk). autovacuum is off: it would reclaim the space of the
 * aborted inserts and let a batch through now and then, which makes the pause flicker.
 */
async function smallPostgres(): Promise<{ db: TestDb; mountDir: string }> {
  const mountDir = mkdtempSync(join(tmpdir(), 'sipcap-diskfull-'));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'tmpfs', mountDir]);
  mounts.push(mountDir);
  const pw = Number((await run('id', ['-u', 'postgres'])).stdout);
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
  const spaceDir = join(mountDir, 'tablespace');
  mkdirSync(spaceDir);
  chownSync(spaceDir, pw, gid);
  const server = new PrivatePostgres(await freeTcpUdpPort(), '-c autovacuum=off');
  servers.push(server);
  await server.init();
  await server.start();
  const db = new TestDb('postgres', server.url);
  const admin = new pg.Client({ connectionString: `${server.url}/postgres` });
  await admin.connect();
  try {
    await admin.query(`CREATE TABLESPACE small LOCATION '${spaceDir}'`);
    await admin.query(`CREATE DATABASE "${db.name}" TABLESPACE small`);
  } finally {
    await admin.end();
  }
  return { db, mountDir };
}

describe('disk guard', () => {
  it('PostgreSQL on a full tmpfs: writes pause (sipcap_db_disk_full 1, writer healthy), resume by themselves once space is freed, every record stored exactly once', async () => {
    const { db, mountDir } = await smallPostgres();
    const topic = await freshTopic(6, 'disk-full');
    const w = startWriter(db, topic, uniqueName('g-disk-full'), { DB_CONNECTIONS: '2' });
    processes.push(w);
    await w.waitForLog('db-writer consuming', 60_000);
    const alive = () => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`the writer exited:\n${w.output().slice(-3000)}`);
    };
    expect(await w.metric('sipcap_db_disk_full')).toBe(0);

    // Leave about 3 MiB: a few thousand rows fit, the 30,000 fed cannot.
    const ballast = join(mountDir, 'ballast');
    writeBallast(ballast, freeBytes(mountDir) - 3 * (1 << 20));
    expect(freeBytes(mountDir)).toBeLessThan(4 * (1 << 20));

    const total = 30_000;
    const f = new Feeder(topic);
    feeders.push(f);
    await f.feed(uniqueName('disk'), total, 10_000);
    await f.flush();

    await waitFor(
      'sipcap_db_disk_full 1',
      async () => {
        alive();
        return (await w.metric('sipcap_db_disk_full')) === 1 ? true : undefined;
      },
      60_000,
      250,
    );
    expect(await w.metric('sipcap_db_disk_pauses_total', '{reason="disk_full"}')).toBeGreaterThanOrEqual(1);
    expect(w.output()).toContain('database is full: writes paused');
    // Paused: the count stands still while the writer keeps retrying, alive and healthy.
    const atPause = await db.counts();
    expect(atPause.rows).toBeLessThan(total);
    await sleep(8000);
    alive();
    const later = await db.counts();
    expect(later.rows).toBe(atPause.rows);
    expect(await w.metric('sipcap_db_disk_full')).toBe(1);
    expect(await w.metric('sipcap_db_retries_total')).toBeGreaterThan(0);
    expect(await healthStatus(await w.metricsPort())).toBe(200);

    // The operator frees space: the writer goes on by itself.
    rmSync(ballast);
    await waitFor(
      `${total} rows`,
      async () => {
        alive();
        return (await db.counts()).rows >= total ? true : undefined;
      },
      90_000,
      250,
    );
    await sleep(1000); // a duplicate would show up now
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(await w.metric('sipcap_db_disk_full')).toBe(0);
    // One pause, as long as the disk was full (the 8 s above and more).
    const resumed = /"pausedMs":(\d+)[^\n]*database has room again: writes resumed/.exec(w.output());
    expect(resumed, w.output().slice(-3000)).not.toBeNull();
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(8000);
    expect(await healthStatus(await w.metricsPort())).toBe(200);
    const exit = await w.stop();
    expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
  }, 240_000);

  // Without DB_DISK_MIN_FREE_MB this server does not survive: InnoDB refuses a LOAD DATA with "The table is
  // full" (ENOSPC extending the .ibd) and then aborts rolling the statement back ("[FATAL] InnoDB: Error
  // (Out of disk space) in rollback", signal 6; MariaDB 10.11.19, see README, *Disk full*). So the writer
  // pauses while the data directory has less than DB_DISK_MIN_FREE_MB free, before the server gets there.
  it('MariaDB with its whole data directory on a small tmpfs: DB_DISK_MIN_FREE_MB pauses writes before the disk is full (the server never runs out of space), and they resume by themselves once space is freed; every record stored exactly once', async () => {
    const mountDir = mkdtempSync(join(tmpdir(), 'sipcap-mariadb-full-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=192m,mode=0755', 'tmpfs', mountDir]);
    mounts.push(mountDir);
    // Data, system tablespace, undo, redo log and temporary tablespace all on the volume that fills.
    const server = new PrivateMariadb(mountDir, await freeTcpUdpPort());
    mariadbs.push(server);
    await server.init();
    await server.start();
    const db = await new TestDb('mysql', server.url).create();
    await db.query("INSTALL SONAME 'disks'");
    const topic = await freshTopic(6, 'mariadb-full');
    const mib = 1 << 20;
    const w = startWriter(db, topic, uniqueName('g-mariadb-full'), {
      DB_CONNECTIONS: '2',
      DB_DISK_MIN_FREE_MB: '48',
      DB_SIZE_CHECK_S: '1',
    });
    processes.push(w);
    await w.waitForLog('db-writer consuming', 60_000);
    const alive = () => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) throw new Error(`the writer exited:\n${w.output().slice(-3000)}`);
      if (!server.running) throw new Error(`mariadbd stopped:\n${server.log().slice(-3000)}`);
    };

    // Leave 56 MiB: 8 MiB above the limit, so a few thousand rows fit and the 30,000 fed do not.
    const ballast = join(mountDir, 'ballast');
    writeBallast(ballast, freeBytes(mountDir) - 56 * mib);
    const total = 30_000;
    const f = new Feeder(topic);
    feeders.push(f);
    await f.feed(uniqueName('mariadb-full'), total, 10_000);
    await f.flush();

    await waitFor(
      'sipcap_db_disk_full 1',
      async () => {
        alive();
        return (await w.metric('sipcap_db_disk_full')) === 1 ? true : undefined;
      },
      60_000,
      250,
    );
    expect(await w.metric('sipcap_db_disk_pauses_total', '{reason="free_space"}')).toBe(1);
    expect(await w.metric('sipcap_db_free_bytes')).toBeLessThan(48 * mib);
    const atPause = await db.counts();
    expect(atPause.rows).toBeGreaterThan(0);
    expect(atPause.rows).toBeLessThan(total);
    await sleep(5000);
    alive();
    expect(await db.counts()).toEqual(atPause);
    expect(await w.metric('sipcap_db_disk_full')).toBe(1);
    expect(await healthStatus(await w.metricsPort())).toBe(200);

    // The operator frees space: the writer goes on by itself.
    rmSync(ballast);
    await waitFor(
      `${total} rows`,
      async () => {
        alive();
        return (await db.counts()).rows >= total ? true : undefined;
      },
      90_000,
      250,
    );
    await sleep(1000); // a duplicate would show up now
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(await w.metric('sipcap_db_disk_full')).toBe(0);
    expect(w.output()).toContain('database has room again: writes resumed');
    // The server never ran out of space, and never aborted or recovered.
    expect(server.running).toBe(true);
    expect(server.log()).not.toMatch(/error 28|is full|got signal|crash recovery/);
    const exit = await w.stop();
    expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
  }, 240_000);

  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: DB_SIZE_MAX_MB: above the soft limit writes pause before they reach the database (reason size_limit); a restart with room stores every record exactly once`, async () => {
      const db = await new TestDb(dialect).create();
      databases.push(db);
      const mib = 1 << 20;
      // About 3 MiB above the empty database: a couple of thousand rows fit, the 30,000 fed do not.
      const limitMb = Math.ceil((await databaseSize(db.url)) / mib) + 3;
      const topic = await freshTopic(6, 'size-limit');
      const group = uniqueName('g-size-limit');
      const w1 = startWriter(db, topic, group, { DB_SIZE_MAX_MB: String(limitMb), DB_SIZE_CHECK_S: '1' });
      processes.push(w1);
      await w1.waitForLog('db-writer consuming', 60_000);
      const total = 30_000;
      const f = new Feeder(topic);
      feeders.push(f);
      await f.feed(uniqueName('size'), total, 10_000);
      await f.flush();
      await waitFor('sipcap_db_disk_full 1', async () => ((await w1.metric('sipcap_db_disk_full')) === 1 ? true : undefined), 60_000, 250);
      expect(await w1.metric('sipcap_db_disk_pauses_total', '{reason="size_limit"}')).toBe(1);
      expect(await w1.metric('sipcap_db_size_bytes')).toBeGreaterThan(limitMb * mib);
      const atPause = await db.counts();
      expect(atPause.rows).toBeGreaterThan(0);
      expect(atPause.rows).toBeLessThan(total);
      await sleep(5000);
      expect(await db.counts()).toEqual(atPause);
      expect(await w1.metric('sipcap_db_disk_full')).toBe(1);
      expect(await healthStatus(await w1.metricsPort())).toBe(200);
      // The operator gives the database more room: a restart with a higher limit goes on where the first stopped.
      const exit = await w1.stop();
      expect(exit, w1.output().slice(-3000)).toEqual({ code: 0, signal: null });
      const w2 = startWriter(db, topic, group, { DB_SIZE_MAX_MB: String(limitMb * 100), DB_SIZE_CHECK_S: '1' });
      processes.push(w2);
      await waitFor(
        `${total} rows`,
        async () => {
          if (w2.child.exitCode !== null) throw new Error(`the writer exited:\n${w2.output().slice(-3000)}`);
          return (await db.counts()).rows >= total ? true : undefined;
        },
        90_000,
        250,
      );
      await sleep(1000);
      expect(await db.counts()).toEqual({ rows: total, callids: total });
      expect(await w2.metric('sipcap_db_disk_full')).toBe(0);
      expect((await w2.stop()).code).toBe(0);
    }, 240_000);
  }

  it("DB_DISK_FULL_DROP_EXPIRED: a full disk drops the expired dated table at once and the writer goes on by itself; today's table is kept, every record stored once", async () => {
    const { db, mountDir } = await smallPostgres();
    const topic = await freshTopic(6, 'disk-drop');
    const w = startWriter(db, topic, uniqueName('g-disk-drop'), {
      TABLE_NAME: 'sip_capture_%Y%m%d',
      DB_RETENTION_DAYS: '2',
      DB_DISK_FULL_DROP_EXPIRED: '1',
    });
    processes.push(w);
    await w.waitForLog('db-writer consuming', 60_000);
    // The retention at start has run (nothing to drop yet); now a table of ten days ago appears, as one
    // the retention has not reached yet, and fills the disk but 3 MiB.
    await waitFor(
      'the retention run at start',
      async () => ((await w.metric('sipcap_retention_runs_total', '{result="done"}')) >= 1 ? true : undefined),
      30_000,
      250,
    );
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
    const expired = `sip_capture_${day(Date.now() - 10 * 86_400_000)}`;
    const today = `sip_capture_${day(Date.now())}`;
    await db.query(`CREATE TABLE ${expired} (id bigserial, msg text)`);
    await db.query(`ALTER TABLE ${expired} ALTER COLUMN msg SET STORAGE EXTERNAL`); // no compression: the ballast takes its size
    while (freeBytes(mountDir) > 3 * (1 << 20)) {
      const chunk = Math.min(1000, Math.max(10, Math.floor((freeBytes(mountDir) - 3 * (1 << 20)) / 2200)));
      await db.query(
        `INSERT INTO ${expired} (msg) SELECT (SELECT string_agg(md5(random()::text || g::text || s::text), '') FROM generate_series(1, 64) s) FROM generate_series(1, $1) g`,
        [chunk],
      );
    }
    const total = 30_000;
    const f = new Feeder(topic);
    feeders.push(f);
    await f.feed(uniqueName('drop'), total, 10_000);
    await f.flush();
    const counts = async () => {
      const [r] = await db.query<{ n: string; d: string }>(`SELECT count(*) AS n, count(DISTINCT callid) AS d FROM ${today}`);
      return { rows: Number(r.n), callids: Number(r.d) };
    };
    await waitFor(
      `${total} rows`,
      async () => {
        if (w.child.exitCode !== null) throw new Error(`the writer exited:\n${w.output().slice(-3000)}`);
        return (await counts()).rows >= total ? true : undefined;
      },
      90_000,
      250,
    );
    await sleep(1000);
    expect(await counts()).toEqual({ rows: total, callids: total });
    expect(await w.metric('sipcap_db_disk_pauses_total', '{reason="disk_full"}')).toBeGreaterThanOrEqual(1);
    expect(await w.metric('sipcap_db_disk_full_dropped_total')).toBe(1);
    expect(await w.metric('sipcap_db_disk_full')).toBe(0);
    expect(w.output()).toContain('dropped expired partitions and tables to free space');
    const tables = await db.query<{ relname: string }>(
      "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p') AND relname LIKE 'sip_capture_%' ORDER BY 1",
    );
    expect(tables.map((t) => t.relname)).toEqual([today]);
    expect((await w.stop()).code).toBe(0);
  }, 240_000);

  it('a writer stopped while the disk is full, and started again while it still is, comes up paused (no crash loop) and resumes when space is freed', async () => {
    const { db, mountDir } = await smallPostgres();
    const topic = await freshTopic(6, 'disk-restart');
    const group = uniqueName('g-disk-restart');
    const w1 = startWriter(db, topic, group);
    processes.push(w1);
    await w1.waitForLog('db-writer consuming', 60_000);
    const ballast = join(mountDir, 'ballast');
    writeBallast(ballast, freeBytes(mountDir) - 3 * (1 << 20));
    const total = 20_000;
    const f = new Feeder(topic);
    feeders.push(f);
    await f.feed(uniqueName('restart'), total, 10_000);
    await f.flush();
    await waitFor('sipcap_db_disk_full 1', async () => ((await w1.metric('sipcap_db_disk_full')) === 1 ? true : undefined), 60_000, 250);
    const exit = await w1.stop();
    expect(exit, w1.output().slice(-3000)).toEqual({ code: 0, signal: null });
    const atStop = await db.counts();
    expect(atStop.rows).toBeLessThan(total);

    const w2 = startWriter(db, topic, group);
    processes.push(w2);
    await w2.waitForLog('db-writer consuming', 60_000);
    await waitFor(
      'sipcap_db_disk_full 1 on the restarted writer',
      async () => ((await w2.metric('sipcap_db_disk_full')) === 1 ? true : undefined),
      60_000,
      250,
    );
    await sleep(3000);
    expect(w2.child.exitCode).toBeNull();
    expect(await healthStatus(await w2.metricsPort())).toBe(200);
    expect(await db.counts()).toEqual(atStop);
    rmSync(ballast);
    await waitFor(
      `${total} rows`,
      async () => {
        if (w2.child.exitCode !== null) throw new Error(`the writer exited:\n${w2.output().slice(-3000)}`);
        return (await db.counts()).rows >= total ? true : undefined;
      },
      90_000,
      250,
    );
    await sleep(1000);
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(await w2.metric('sipcap_db_disk_full')).toBe(0);
    expect((await w2.stop()).code).toBe(0);
  }, 240_000);

  for (const dialect of ['postgres', 'mysql'] as const) {
    it(`${dialect}: databaseSize (what DB_SIZE_MAX_MB compares) grows with the rows of the database`, async () => {
      const db = await new TestDb(dialect).create();
      databases.push(db);
      await db.query('CREATE TABLE ballast (id int, msg text)');
      const before = await databaseSize(db.url);
      const row = 'x'.repeat(1000);
      for (let i = 0; i < 10; i++)
        await db.query(
          `INSERT INTO ballast (id, msg) VALUES ${Array.from({ length: 500 }, (_, j) => `(${i * 500 + j}, '${row}')`).join(',')}`,
        );
      // InnoDB's figures are statistics: ANALYZE brings them up to date as its background update would.
      if (dialect === 'mysql') await db.query('ANALYZE TABLE ballast');
      const after = await databaseSize(db.url);
      expect(before).toBeGreaterThan(0);
      expect(after - before).toBeGreaterThanOrEqual(5000 * 1000 * 0.9);
      expect(after - before).toBeLessThan(5000 * 1000 * 3);
    }, 60_000);
  }
});
