import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PositionedStore } from './positioned-row';
import { errorCode, errorMessage, isStoreError, StoreError } from './store-error';

/**
 * Why writes are paused: the server refused for lack of space, the database is above DB_SIZE_MAX_MB, or the
 * server's data directory has less free space than DB_DISK_MIN_FREE_MB. A metric label.
 */
export type DiskPauseReason = 'disk_full' | 'table_full' | 'size_limit' | 'free_space';
export const DISK_PAUSE_REASONS: readonly DiskPauseReason[] = ['disk_full', 'table_full', 'size_limit', 'free_space'];
/** The pauses the guard decides itself, from its readings (before the server refuses anything). */
type LimitReason = 'size_limit' | 'free_space';

/** ENOSPC as the servers word it inside other errors (MySQL "Got error 28 from storage engine", "Errcode: 28"). */
const NO_SPACE = /No space left on device|\b(?:Got error|Errcode:|errno:) ?28\b/i;

/**
 * Whether a write error says the database has no room: PostgreSQL SQLSTATE 53100 (could not extend a
 * file), MySQL/MariaDB 1021 (disk full) and 1114 (table full, also an InnoDB tablespace at its limit),
 * or ENOSPC (errno 28) inside another error (MySQL 1030 "Got error 28 from storage engine", 3, 1030).
 */
export function diskFullReason(e: unknown): 'disk_full' | 'table_full' | undefined {
  if (isStoreError(e) && (e.reason === 'disk_full' || e.reason === 'table_full')) return e.reason;
  const inner = isStoreError(e) ? e.cause : e;
  const code = isStoreError(e) ? e.code : errorCode(e);
  if (code === '53100' || code === '1021') return 'disk_full';
  if (code === '1114') return 'table_full';
  if (NO_SPACE.test(errorMessage(e)) || (inner !== e && NO_SPACE.test(errorMessage(inner)))) return 'disk_full';
  return undefined;
}

export interface DiskGuardOptions {
  log: Logger;
  registry?: Registry;
  /** DB_SIZE_MAX_MB in bytes: a soft limit on the database's size (0 or absent: none). */
  maxBytes?: number;
  /** The database's size in bytes (needed with maxBytes). */
  size?: () => Promise<number>;
  /**
   * DB_DISK_MIN_FREE_MB in bytes: pause while the file system of the server's data directory has less free
   * space (0 or absent: none). MariaDB aborts when it runs out of space rolling back a statement, so it must
   * never get there (see databaseFreeBytes).
   */
  minFreeBytes?: number;
  /** Free bytes where the server keeps its data (needed with minFreeBytes). */
  free?: () => Promise<number>;
  /** DB_SIZE_CHECK_S in ms: how often the size and the free space are read. */
  checkMs?: number;
  /**
   * DB_DISK_FULL_DROP_EXPIRED: called while writes are paused, at once and then at most every dropEveryMs;
   * drops what is past its retention (the store's applyRetention) and returns the names dropped.
   */
  dropExpired?: () => Promise<string[]>;
  dropEveryMs?: number;
  now?: () => number;
}

/**
 * Watches the database for lack of space. Writes that fail with "disk full" are retried by the flush
 * lanes like any outage (the records wait in Kafka, offsets are committed with the rows, so nothing is
 * lost or stored twice); the guard turns that state into an alert: `sipcap_db_disk_full` 1, a counted
 * pause, one error line, and an info line with the duration when a write succeeds again. Above the soft
 * limit (DB_SIZE_MAX_MB) it pauses writes itself, before the disk is full. With dropExpired it frees
 * space while paused by dropping what is past retention (never the current or a future day).
 */
export class DiskGuard {
  /** Paused because a write was refused for lack of space (cleared by a write that succeeds). */
  private refused: 'disk_full' | 'table_full' | undefined;
  /** Paused because the last size reading was above maxBytes (cleared by a reading below it). */
  private overLimit: LimitReason | undefined;
  private pausedAt = 0;
  /** Writes started so far, and how many had started when the last refusal came. */
  private started = 0;
  private refusedAfter = 0;
  private lastDrop = -Infinity;
  private dropping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private lastSize: number | undefined;
  private lastFree: number | undefined;
  private readonly now: () => number;
  private readonly full: Gauge;
  private readonly pauses: Counter;
  private readonly dropped: Counter;

  constructor(private readonly opts: DiskGuardOptions) {
    this.now = opts.now ?? Date.now;
    const registers = opts.registry ? [opts.registry] : [];
    this.full = new Gauge({
      name: 'sipcap_db_disk_full',
      help: 'Whether writes are paused for lack of space (1): the database refused a write as full, or is above DB_SIZE_MAX_MB',
      registers,
    });
    this.full.set(0);
    this.pauses = new Counter({
      name: 'sipcap_db_disk_pauses_total',
      help: 'Times writes were paused for lack of space, by reason (disk_full, table_full, size_limit)',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of DISK_PAUSE_REASONS) this.pauses.inc({ reason }, 0);
    this.dropped = new Counter({
      name: 'sipcap_db_disk_full_dropped_total',
      help: 'Expired day partitions and dated tables dropped to free space while writes were paused (DB_DISK_FULL_DROP_EXPIRED)',
      registers,
    });
    if (opts.maxBytes && opts.size) {
      const size = () => this.lastSize;
      new Gauge({
        name: 'sipcap_db_size_bytes',
        help: 'Size of the database as last read (only with DB_SIZE_MAX_MB)',
        registers,
        collect() {
          const bytes = size();
          if (bytes !== undefined) this.set(bytes);
        },
      });
    }
    if (opts.minFreeBytes && opts.free) {
      const free = () => this.lastFree;
      new Gauge({
        name: 'sipcap_db_free_bytes',
        help: "Free space of the database server's data directory as last read (only with DB_DISK_MIN_FREE_MB)",
        registers,
        collect() {
          const bytes = free();
          if (bytes !== undefined) this.set(bytes);
        },
      });
    }
  }

  private get watching(): boolean {
    return Boolean((this.opts.maxBytes && this.opts.size) || (this.opts.minFreeBytes && this.opts.free));
  }

  /** Whether writes are paused now. */
  get paused(): boolean {
    return this.refused !== undefined || this.overLimit !== undefined;
  }

  /** Reads the size and the free space now and then every checkMs (only with maxBytes or minFreeBytes). */
  start(): void {
    if (!this.watching) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.checkMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await this.dropping;
  }

  /** Reads the database's size and free space and pauses or resumes by the limits. A failed reading changes nothing. */
  check(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const { maxBytes, minFreeBytes } = this.opts;
        if (maxBytes && this.opts.size) this.lastSize = await this.opts.size();
        if (minFreeBytes && this.opts.free) this.lastFree = await this.opts.free();
        const detail = { sizeBytes: this.lastSize, maxBytes, freeBytes: this.lastFree, minFreeBytes };
        const over: LimitReason | undefined =
          maxBytes && this.lastSize !== undefined && this.lastSize > maxBytes
            ? 'size_limit'
            : minFreeBytes && this.lastFree !== undefined && this.lastFree < minFreeBytes
              ? 'free_space'
              : undefined;
        if (over && !this.overLimit) {
          this.overLimit = over;
          this.pause(over, detail);
        } else if (!over && this.overLimit) {
          this.overLimit = undefined;
          this.resumed(detail);
        }
        if (this.paused) this.maybeDrop();
      } catch (e) {
        this.opts.log.warn(
          { err: errorMessage(e) },
          'reading the database size or free space failed (DB_SIZE_MAX_MB, DB_DISK_MIN_FREE_MB)',
        );
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** A write failed: pauses (metric, log) when it says the database is full. Returns the reason, if so. */
  failed(e: unknown): 'disk_full' | 'table_full' | undefined {
    const reason = diskFullReason(e);
    if (!reason) return undefined;
    this.refusedAfter = this.started;
    if (!this.refused) {
      const wasPaused = this.paused;
      this.refused = reason;
      if (!wasPaused) this.pause(reason, { err: errorMessage(e) });
    }
    this.maybeDrop();
    return reason;
  }

  /**
   * A write succeeded: there is room again, when the write began after the last refusal (`write`: its
   * number from `began`). A write of another lane that was already under way proves nothing and would
   * make the alert flicker.
   */
  succeeded(write = Infinity): void {
    if (!this.refused || write <= this.refusedAfter) return;
    this.refused = undefined;
    if (this.overLimit === undefined) this.resumed({});
  }

  /** Throws a retryable StoreError while the database is above a limit (the lanes retry with backoff). */
  assertWritable(): void {
    if (this.overLimit === 'size_limit') {
      throw new StoreError(
        'retryable',
        'size_limit',
        `database is above DB_SIZE_MAX_MB (${this.lastSize} > ${this.opts.maxBytes} bytes): writes paused, records wait in Kafka`,
      );
    }
    if (this.overLimit === 'free_space') {
      throw new StoreError(
        'retryable',
        'free_space',
        `the database server's data directory has ${this.lastFree} bytes free, under DB_DISK_MIN_FREE_MB (${this.opts.minFreeBytes} bytes): writes paused, records wait in Kafka`,
      );
    }
  }

  /** The store seen through the guard: what the delayed writer writes with. */
  wrap<S extends PositionedStore>(store: S): PositionedStore {
    return {
      writePositioned: async (group, topic, rows, onRejected) => {
        this.assertWritable();
        const write = ++this.started;
        try {
          const r = await store.writePositioned(group, topic, rows, onRejected);
          this.succeeded(write);
          return r;
        } catch (e) {
          this.failed(e);
          throw e;
        }
      },
      readDedupStates: store.readDedupStates?.bind(store),
    };
  }

  private pause(reason: DiskPauseReason, detail: Record<string, unknown>): void {
    this.pausedAt = this.now();
    this.full.set(1);
    this.pauses.inc({ reason });
    this.opts.log.error(
      { reason, ...detail },
      'database is full: writes paused, records wait in Kafka (retried until there is room again)',
    );
  }

  private resumed(detail: Record<string, unknown>): void {
    this.full.set(0);
    this.opts.log.info({ pausedMs: this.now() - this.pausedAt, ...detail }, 'database has room again: writes resumed');
  }

  /** While paused: drops what is expired, at once and then at most every dropEveryMs, one run at a time. */
  private maybeDrop(): void {
    const drop = this.opts.dropExpired;
    if (!drop || this.dropping || this.now() - this.lastDrop < (this.opts.dropEveryMs ?? 60_000)) return;
    this.lastDrop = this.now();
    this.dropping = Promise.resolve()
      .then(drop)
      .then(
        (names) => {
          if (names.length) this.dropped.inc(names.length);
          this.opts.log.warn(
            { dropped: names },
            names.length
              ? 'database full: dropped expired partitions and tables to free space'
              : 'database full: nothing expired to drop (DB_DISK_FULL_DROP_EXPIRED)',
          );
        },
        (e: unknown) => this.opts.log.warn({ err: errorMessage(e) }, 'database full: dropping expired partitions and tables failed'),
      )
      .finally(() => (this.dropping = undefined));
  }
}
