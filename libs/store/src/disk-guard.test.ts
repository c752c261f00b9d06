import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { classifyMysqlError } from './classify-mysql-error';
import { classifyPgError } from './classify-pg-error';
import { DiskGuard, diskFullReason } from './disk-guard';
import type { OffsetRow, PositionedResult } from './store';

const log = pino({ level: 'silent' });
const pgError = (code: string, message: string) => classifyPgError(Object.assign(new Error(message), { code }));
const myError = (errno: number, message: string) => classifyMysqlError(Object.assign(new Error(message), { errno, code: 'ER_X' }));

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  const v = (m.values as { value: number; labels: Record<string, string> }[]).find((x) =>
    Object.entries(labels).every(([k, l]) => x.labels[k] === l),
  );
  if (!v) throw new Error(`no value of ${name} ${JSON.stringify(labels)}`);
  return v.value;
}

describe('diskFullReason', () => {
  it('knows the disk-full errors of both servers', () => {
    expect(diskFullReason(pgError('53100', 'could not extend file "base/16384/16385": No space left on device'))).toBe('disk_full');
    expect(diskFullReason(myError(1021, 'Disk full (/tmp/#sql_1.MAI); waiting for someone to free some space...'))).toBe('disk_full');
    expect(diskFullReason(myError(1114, "The table 'sip_capture' is full"))).toBe('table_full');
    // ENOSPC inside another MySQL error (classified fatal/server_error, still retried by the writer).
    expect(diskFullReason(myError(1030, 'Got error 28 "No space left on device" from storage engine InnoDB'))).toBe('disk_full');
    expect(diskFullReason(myError(3, 'Error writing file \'/var/tmp/ML1\' (Errcode: 28 "No space left on device")'))).toBe('disk_full');
  });

  it('leaves other errors alone', () => {
    expect(diskFullReason(pgError('57P01', 'terminating connection due to administrator command'))).toBeUndefined();
    expect(diskFullReason(pgError('53200', 'out of memory'))).toBeUndefined();
    expect(diskFullReason(myError(1213, 'Deadlock found when trying to get lock'))).toBeUndefined();
    expect(diskFullReason(myError(1030, 'Got error 128 from storage engine'))).toBeUndefined();
    expect(diskFullReason(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBeUndefined();
  });
});

/** A store whose writes fail with `error` while it is set. */
class FlakyStore {
  error: Error | undefined;
  writes = 0;
  async writePositioned<R extends OffsetRow>(_g: string, _t: string, rows: readonly R[]): Promise<PositionedResult> {
    this.writes++;
    if (this.error) throw this.error;
    return { inserted: rows.length, rejected: 0, skipped: 0, perTable: new Map() };
  }
}

describe('DiskGuard', () => {
  const full = pgError('53100', 'could not extend file: No space left on device');

  it('raises sipcap_db_disk_full and counts one pause per full spell, back to 0 after a write succeeds', async () => {
    const registry = new Registry();
    const guard = new DiskGuard({ log, registry });
    const inner = new FlakyStore();
    const store = guard.wrap(inner);
    await store.writePositioned('g', 't', []);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(0);
    inner.error = full;
    for (let i = 0; i < 3; i++) await expect(store.writePositioned('g', 't', [])).rejects.toBe(full);
    expect(guard.paused).toBe(true);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(1);
    expect(await metric(registry, 'sipcap_db_disk_pauses_total', { reason: 'disk_full' })).toBe(1);
    inner.error = undefined;
    await store.writePositioned('g', 't', []);
    expect(guard.paused).toBe(false);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(0);
    inner.error = full;
    await expect(store.writePositioned('g', 't', [])).rejects.toBe(full);
    expect(await metric(registry, 'sipcap_db_disk_pauses_total', { reason: 'disk_full' })).toBe(2);
  });

  it('is not lifted by a write that was already under way when the refusal came (another lane)', async () => {
    const guard = new DiskGuard({ log });
    let finish!: () => void;
    const slow = guard.wrap({
      writePositioned: () =>
        new Promise<PositionedResult>((r) => (finish = () => r({ inserted: 0, rejected: 0, skipped: 0, perTable: new Map() }))),
    });
    const inner = new FlakyStore();
    const fast = guard.wrap(inner);
    const underWay = slow.writePositioned('g', 't', []);
    inner.error = full;
    await expect(fast.writePositioned('g', 't', [])).rejects.toBe(full);
    finish();
    await underWay;
    expect(guard.paused).toBe(true);
    inner.error = undefined;
    await fast.writePositioned('g', 't', []);
    expect(guard.paused).toBe(false);
  });

  it('does not count an outage as disk full', async () => {
    const registry = new Registry();
    const guard = new DiskGuard({ log, registry });
    const inner = new FlakyStore();
    inner.error = pgError('57P01', 'terminating connection');
    await expect(guard.wrap(inner).writePositioned('g', 't', [])).rejects.toBe(inner.error);
    expect(guard.paused).toBe(false);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(0);
  });

  it('above DB_SIZE_MAX_MB refuses writes with a retryable error before they reach the store, and resumes below it', async () => {
    const registry = new Registry();
    let size = 100;
    const guard = new DiskGuard({ log, registry, maxBytes: 1000, size: async () => size });
    const inner = new FlakyStore();
    const store = guard.wrap(inner);
    await guard.check();
    await store.writePositioned('g', 't', []);
    size = 1001;
    await guard.check();
    const e = await store.writePositioned('g', 't', []).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'retryable', reason: 'size_limit' });
    expect(inner.writes).toBe(1);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(1);
    expect(await metric(registry, 'sipcap_db_disk_pauses_total', { reason: 'size_limit' })).toBe(1);
    expect(await metric(registry, 'sipcap_db_size_bytes')).toBe(1001);
    // A write that succeeded elsewhere does not lift the soft limit; only a reading below it does.
    guard.succeeded();
    expect(guard.paused).toBe(true);
    size = 900;
    await guard.check();
    await store.writePositioned('g', 't', []);
    expect(inner.writes).toBe(2);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(0);
  });

  it('under DB_DISK_MIN_FREE_MB refuses writes with a retryable error (reason free_space) and resumes once the free space is back', async () => {
    const registry = new Registry();
    let free = 5000;
    const guard = new DiskGuard({ log, registry, minFreeBytes: 1000, free: async () => free });
    const inner = new FlakyStore();
    const store = guard.wrap(inner);
    await guard.check();
    await store.writePositioned('g', 't', []);
    free = 999;
    await guard.check();
    const e = await store.writePositioned('g', 't', []).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'retryable', reason: 'free_space' });
    expect(inner.writes).toBe(1);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(1);
    expect(await metric(registry, 'sipcap_db_disk_pauses_total', { reason: 'free_space' })).toBe(1);
    expect(await metric(registry, 'sipcap_db_free_bytes')).toBe(999);
    free = 1000;
    await guard.check();
    await store.writePositioned('g', 't', []);
    expect(inner.writes).toBe(2);
    expect(await metric(registry, 'sipcap_db_disk_full')).toBe(0);
  });

  it('keeps its state when the size cannot be read', async () => {
    let fail = false;
    const guard = new DiskGuard({
      log,
      maxBytes: 10,
      size: async () => {
        if (fail) throw new Error('connection refused');
        return 20;
      },
    });
    await guard.check();
    expect(guard.paused).toBe(true);
    fail = true;
    await guard.check();
    expect(guard.paused).toBe(true);
  });

  it('with dropExpired drops at once when paused, then at most every dropEveryMs, never while not paused', async () => {
    let now = 0;
    const calls: number[] = [];
    const registry = new Registry();
    const guard = new DiskGuard({
      log,
      registry,
      now: () => now,
      dropEveryMs: 60_000,
      dropExpired: async () => (calls.push(now), ['sip_capture_20260101']),
    });
    const inner = new FlakyStore();
    const store = guard.wrap(inner);
    await store.writePositioned('g', 't', []);
    expect(calls).toEqual([]);
    inner.error = full;
    await expect(store.writePositioned('g', 't', [])).rejects.toBe(full);
    await guard.stop(); // waits for the drop
    now = 30_000;
    await expect(store.writePositioned('g', 't', [])).rejects.toBe(full);
    now = 61_000;
    await expect(store.writePositioned('g', 't', [])).rejects.toBe(full);
    await guard.stop();
    expect(calls).toEqual([0, 61_000]);
    expect(await metric(registry, 'sipcap_db_disk_full_dropped_total')).toBe(2);
  });
});
