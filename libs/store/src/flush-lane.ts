import type { Logger } from 'pino';
import type { DeadLetter, PositionedRow, PositionedStore } from './positioned-row';
import type { RejectedRow } from './store';
import type { WriterMetrics } from './writer-metrics';

export interface FlushLaneOptions {
  store: PositionedStore;
  group: string;
  topic: string;
  batchSize: number;
  flushMs: number;
  deadLetter(letters: DeadLetter[]): Promise<void>;
  isRetryable(e: unknown): boolean;
  log: Logger;
  metrics: WriterMetrics;
}

interface Waiter {
  rows: PositionedRow[];
  resolve(): void;
  reject(e: Error): void;
}

/**
 * One insert transaction at a time for its share of the partitions: rows are buffered and written when
 * DB_BATCH_SIZE are waiting or DB_FLUSH_MS has passed. A partition always uses the same lane, so its
 * batches commit in offset order; lanes run side by side, so the writer encodes one batch while the
 * database inserts another. A database outage is retried with backoff for as long as it lasts; after a
 * data error the batch is written again with the refused rows found inside the transaction and
 * dead-lettered before it commits, so nothing is passed over that the dead-letter topic does not hold.
 */
export class FlushLane {
  private waiting: Waiter[] = [];
  private waitingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  /** Partitions routed to this lane. */
  partitions = 0;

  constructor(private readonly opts: FlushLaneOptions) {}

  get bufferedRows(): number {
    return this.waitingRows;
  }

  /** Buffers rows of one partition; resolves when they are committed. */
  add(rows: PositionedRow[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      this.waitingRows += rows.length;
      if (this.waitingRows >= this.opts.batchSize) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs);
    });
  }

  /** Writes what is buffered and stops taking more. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.waitingRows > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.waiting.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
      // Rows that arrived during the flush wait for the next trigger (size, or their own timer).
      if (this.waitingRows >= this.opts.batchSize || this.stopped) this.kick();
      else if (this.waitingRows > 0) this.timer ??= setTimeout(() => this.kick(), this.opts.flushMs);
    });
  }

  private async flushLoop(): Promise<void> {
    const waiters = this.waiting;
    this.waiting = [];
    this.waitingRows = 0;
    const rows = waiters.length === 1 ? waiters[0].rows : waiters.flatMap((w) => w.rows);
    try {
      await this.writeUntilDone(rows);
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e as Error);
    }
  }

  /**
   * Retries through outages. A data error makes the next attempt isolate the refused rows (inside the
   * transaction) and dead-letter them before it commits. Only throws when stopping mid-outage.
   */
  private async writeUntilDone(rows: PositionedRow[]): Promise<void> {
    let backoff = 0;
    let isolate = false;
    for (;;) {
      try {
        await this.write(rows, isolate);
        return;
      } catch (e) {
        if (!this.opts.isRetryable(e) && !isolate) {
          isolate = true;
          continue;
        }
        if (this.stopped && backoff > 0) throw e;
        this.opts.metrics.retries.inc();
        backoff = Math.min(Math.max(backoff * 2, 200), 10_000);
        this.opts.log.warn(
          { err: (e as Error).message, rows: rows.length, retryInMs: backoff },
          'database write failed; retrying (consumption waits)',
        );
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  private async write(rows: PositionedRow[], isolate: boolean): Promise<void> {
    const m = this.opts.metrics;
    const t0 = process.hrtime.bigint();
    try {
      const r = await this.opts.store.writePositioned(
        this.opts.group,
        this.opts.topic,
        rows,
        isolate ? (rejected) => this.reject(rejected) : undefined,
      );
      m.batches.inc({ result: 'ok' });
      m.batchRows.observe(rows.length);
      m.batchSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      if (r.skipped) m.skipped.inc(r.skipped);
      if (r.rejected) m.deadLettered.inc({ cause: 'rejected' }, r.rejected);
      for (const [table, n] of r.perTable) {
        m.inserted.inc({ table }, n);
        m.totals.rowsInserted += n;
      }
      m.totals.deadLetters += r.rejected;
      m.totals.lastInsertMs = Date.now();
    } catch (e) {
      m.batches.inc({ result: 'error' });
      m.totals.insertErrors++;
      throw e;
    }
  }

  /** Sends the rows the database refused to the dead-letter topic; the transaction commits after this. */
  private async reject(rejected: RejectedRow<PositionedRow>[]): Promise<void> {
    const letters: DeadLetter[] = rejected.map(({ row: r, error }) => {
      this.opts.log.error(
        { partition: r.partition, offset: String(r.offset), index: r.index, table: r.table, err: error.message },
        'record rejected by the database; sent to the dead-letter topic',
      );
      // A record from a record batch has no key of its own: it gets its Call-ID, as a single record has.
      const key = r.source?.key ?? (r.record ? Buffer.from('callid' in r.record ? r.record.callid : r.record.correlation_id) : null);
      return { partition: r.partition, offset: r.offset, index: r.index, key, value: r.source?.value ?? null, error: error.message };
    });
    // Once: a failure rolls the transaction back and the whole write is retried with backoff.
    await this.opts.deadLetter(letters);
  }
}
