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
import { PrivatePostgres } from './support/private-postgres';
import { Feeder, startWriter, TestDb } from './support/writer-fixtures';

const run = promisify(execFile);

let server: PrivatePostgres | undefined;
let mountDir: string | undefined;
let mounted = false;
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
  await server?.destroy();
  if (mounted) await run('umount', ['-l', mountDir!]).catch(() => undefined);
  if (mountDir) rmSync(mountDir, { recursive: true, force: true });
});

describe('disk guard', () => {
  it('PostgreSQL on a full tmpfs: writes pause (sipcap_db_disk_full 1, writer healthy), resume by themselves once space is freed, every record stored exactly once', async () => {
    mountDir = mkdtempSync(join(tmpdir(), 'sipcap-diskfull-'));
    await run('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0755', 'tmpfs', mountDir]);
    mounted = true;
    const pw = Number((await run('id', ['-u', 'postgres'])).stdout);
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout);
    const spaceDir = join(mountDir, 'tablespace');
    mkdirSync(spaceDir);
    chownSync(spaceDir, pw, gid);

    // autovacuum off: it would reclaim the space of the aborted inserts and let a batch through now and then.
    server = new PrivatePostgres(await freeTcpUdpPort(), '-c autovacuum=off');
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

    await waitFor('sipcap_db_disk_full 1', async () => {
      alive();
      return (await w.metric('sipcap_db_disk_full')) === 1 ? true : undefined;
    }, 60_000, 250);
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
    await waitFor(`${total} rows`, async () => {
      alive();
      return (await db.counts()).rows >= total ? true : undefined;
    }, 90_000, 250);
    await sleep(1000); // a duplicate would show up now
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(await w.metric('sipcap_db_disk_full')).toBe(0);
    expect(w.output()).toContain('database has room again: writes resumed');
    expect(await healthStatus(await w.metricsPort())).toBe(200);
    const exit = await w.stop();
    expect(exit, w.output().slice(-3000)).toEqual({ code: 0, signal: null });
  }, 240_000);

  it('DB_SIZE_MAX_MB: above the soft limit writes pause before they reach the database (reason size_limit); a restart with room stores every record exactly once', async () => {
    const db = await new TestDb('postgres').create();
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
    await waitFor(`${total} rows`, async () => {
      if (w2.child.exitCode !== null) throw new Error(`the writer exited:\n${w2.output().slice(-3000)}`);
      return (await db.counts()).rows >= total ? true : undefined;
    }, 90_000, 250);
    await sleep(1000);
    expect(await db.counts()).toEqual({ rows: total, callids: total });
    expect(await w2.metric('sipcap_db_disk_full')).toBe(0);
    expect((await w2.stop()).code).toBe(0);
  }, 240_000);
});
